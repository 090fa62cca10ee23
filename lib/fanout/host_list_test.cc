// Host list parsing: comments, blanks, repeats, per-host TLS names, bad
// entries, and the loopback test behind --insecure_loopback_plaintext.
#include "lib/fanout/host_list.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace fanout {
namespace {

using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

std::vector<std::string> Targets(const std::vector<HostEntry>& hosts) {
  std::vector<std::string> out;
  for (const HostEntry& h : hosts) out.push_back(h.target + "|" + h.server_name);
  return out;
}

TEST(HostListTest, ReadsEntriesSkippingCommentsBlanksAndRepeats) {
  auto hosts = ParseHostList(
      "# fleet\n  web1.example.org:7800 \n\n[::1]:7801  # local\nweb1.example.org:7800=x.org\n"
      "10.0.0.5:7800=web5.example.org\n",
      "f");
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  EXPECT_EQ(Targets(*hosts), (std::vector<std::string>{"web1.example.org:7800|", "[::1]:7801|",
                                                        "10.0.0.5:7800|web5.example.org"}));
}

TEST(HostListTest, NamesTheLineOfABadEntry) {
  EXPECT_THAT(ParseHostList("a:1\nno-port\n", "hosts.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hosts.txt line 2")));
}

TEST(HostListTest, ParsesEntriesTable) {
  struct Case {
    const char* entry;
    const char* target;  // nullptr: refused
    const char* server_name;
  };
  const Case cases[] = {
      {"a:1", "a:1", ""},
      {"10.0.0.1:65535", "10.0.0.1:65535", ""},
      {"[::1]:80", "[::1]:80", ""},
      {"[2001:db8::7]:7800", "[2001:db8::7]:7800", ""},
      {"web1.example.org:7800=agent1.example.org", "web1.example.org:7800",
       "agent1.example.org"},
      {"127.0.0.1:7800=127.0.0.1", "127.0.0.1:7800", "127.0.0.1"},
      {"[::1]:7800=agent.example.org", "[::1]:7800", "agent.example.org"},
      {"a:0", nullptr, ""},
      {"a:65536", nullptr, ""},
      {"a:x", nullptr, ""},
      {":80", nullptr, ""},
      {"[::1:80", nullptr, ""},
      {"[]:80", nullptr, ""},
      {"a b:80", nullptr, ""},
      {"a:80=", nullptr, ""},
      {"a:80=b c", nullptr, ""},
      {"a:80=b=c", nullptr, ""},
      {"a:80=b:1", nullptr, ""},
      {"=name", nullptr, ""},
      {"::1:7800", nullptr, ""},
      {"fe80::1:7800", nullptr, ""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<HostEntry> e = ParseHostEntry(c.entry);
    if (c.target == nullptr) {
      EXPECT_THAT(e, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.entry)));
      continue;
    }
    ASSERT_TRUE(e.ok()) << c.entry << ": " << e.status();
    EXPECT_EQ(e->target, c.target) << c.entry;
    EXPECT_EQ(e->server_name, c.server_name) << c.entry;
  }
}

TEST(HostListTest, UnbracketedIpv6SuggestsBrackets) {
  EXPECT_THAT(ParseHostEntry("::1:7800"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[::1]:7800")));
  EXPECT_THAT(ParseHostEntry("2001:db8::7:7800"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("[2001:db8::7]:7800")));
}

TEST(HostListTest, LoopbackIsParsedNotPrefixMatched) {
  for (const char* yes : {"127.0.0.1:7800", "127.255.3.4:1", "[::1]:7800",
                          "[0:0:0:0:0:0:0:1]:7800", "localhost:7800"}) {
    EXPECT_TRUE(IsLoopbackTarget(yes)) << yes;
  }
  for (const char* no :
       {"127.0.0.1.attacker.example:7800", "127.attacker.example:7800", "127.1:7800",
        "127.0.0.1:0", "128.0.0.1:7800", "10.0.0.1:7800", "[::2]:7800", "[::ffff:127.0.0.1]:7800",
        "[::1].attacker.example:7800", "localhost.attacker.example:7800", "LOCALHOST.:7800",
        "0127.0.0.1:7800", "127.0.0.1", "[::1]", "::1:7800"}) {
    EXPECT_FALSE(IsLoopbackTarget(no)) << no;
  }
}

TEST(HostListTest, MergeKeepsTheFirstOccurrence) {
  std::vector<HostEntry> hosts = {{"a:1", ""}, {"b:2", "n"}};
  MergeHosts(hosts, {{"b:2", "other"}, {"c:3", ""}, {"a:1", ""}});
  EXPECT_EQ(Targets(hosts), (std::vector<std::string>{"a:1|", "b:2|n", "c:3|"}));
}

}  // namespace
}  // namespace fanout
}  // namespace secretsync

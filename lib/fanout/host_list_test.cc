// Host list parsing: comments, blanks, repeats, bad entries.
#include "lib/fanout/host_list.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace fanout {
namespace {

using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HostListTest, ReadsEntriesSkippingCommentsBlanksAndRepeats) {
  auto hosts = ParseHostList(
      "# fleet\n  web1.example.org:7800 \n\n[::1]:7801  # local\nweb1.example.org:7800\n", "f");
  ASSERT_TRUE(hosts.ok());
  EXPECT_THAT(*hosts, ElementsAre("web1.example.org:7800", "[::1]:7801"));
}

TEST(HostListTest, NamesTheLineOfABadEntry) {
  EXPECT_THAT(ParseHostList("a:1\nno-port\n", "hosts.txt"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("hosts.txt line 2")));
  for (const char* bad : {"a:0", "a:65536", "a:x", ":80", "[::1:80", "a b:80"}) {
    EXPECT_FALSE(CheckHost(bad).ok()) << bad;
  }
  for (const char* good : {"a:1", "10.0.0.1:65535", "[::1]:80"}) {
    EXPECT_TRUE(CheckHost(good).ok()) << good;
  }
}

TEST(HostListTest, MergeKeepsTheFirstOccurrence) {
  std::vector<std::string> hosts = {"a:1", "b:2"};
  MergeHosts(hosts, {"b:2", "c:3", "a:1"});
  EXPECT_THAT(hosts, ElementsAre("a:1", "b:2", "c:3"));
}

}  // namespace
}  // namespace fanout
}  // namespace secretsync

// Host list parsing and the loopback test.
#include "lib/fanout/host_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace fanout {
namespace {

// Characters a DNS name, IPv4 or bracketed IPv6 host can never hold here.
constexpr absl::string_view kNeverInHost = " \t\r=/@[]";

// Splits "host:port" into the host (brackets removed) and the port; false for
// anything else. `*v6` tells whether the host was bracketed.
bool SplitTarget(absl::string_view target, absl::string_view* host, bool* v6) {
  const size_t colon = target.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(target.substr(colon + 1), &port) || port < 1 || port > 65535) {
    return false;
  }
  absl::string_view h = target.substr(0, colon);
  *v6 = h.front() == '[';
  if (*v6) {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
    if (h.find_first_not_of("0123456789abcdefABCDEF:.%") != absl::string_view::npos) {
      return false;
    }
  } else if (h.find_first_of(kNeverInHost) != absl::string_view::npos) {
    return false;
  }
  *host = h;
  return true;
}

absl::Status BadEntry(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("host \"", entry.substr(0, 200), "\": ", why));
}

}  // namespace

absl::StatusOr<HostEntry> ParseHostEntry(absl::string_view entry) {
  HostEntry e;
  absl::string_view target = entry;
  const size_t eq = entry.find('=');
  if (eq != absl::string_view::npos) {
    target = entry.substr(0, eq);
    const absl::string_view name = entry.substr(eq + 1);
    if (name.empty() || name.find_first_of(" \t\r=:/@[]") != absl::string_view::npos) {
      return BadEntry(entry, "expected host:port=tls-name with a DNS name or IPv4 address");
    }
    e.server_name = std::string(name);
  }
  absl::string_view host;
  bool v6 = false;
  if (!SplitTarget(target, &host, &v6)) {
    return BadEntry(entry, "expected host:port or [IPv6]:port, port 1..65535");
  }
  if (!v6 && host.find(':') != absl::string_view::npos) {
    return BadEntry(entry, absl::StrCat("an IPv6 address needs brackets: [", host, "]",
                                        target.substr(target.rfind(':'))));
  }
  e.target = std::string(target);
  return e;
}

absl::StatusOr<std::vector<HostEntry>> ParseHostList(absl::string_view text,
                                                     absl::string_view source) {
  std::vector<HostEntry> hosts;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<HostEntry> e = ParseHostEntry(line);
    if (!e.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, " line ", line_no, ": ", e.status().message()));
    }
    MergeHosts(hosts, {*std::move(e)});
  }
  return hosts;
}

void MergeHosts(std::vector<HostEntry>& hosts, const std::vector<HostEntry>& more) {
  for (const HostEntry& h : more) {
    auto same = [&](const HostEntry& e) { return e.target == h.target; };
    if (std::none_of(hosts.begin(), hosts.end(), same)) hosts.push_back(h);
  }
}

bool IsLoopbackTarget(absl::string_view target) {
  absl::string_view host;
  bool v6 = false;
  if (!SplitTarget(target, &host, &v6)) return false;
  const std::string h(host);
  if (v6) {
    in6_addr a6;
    return inet_pton(AF_INET6, h.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  if (h == "localhost") return true;
  in_addr a4;
  return inet_pton(AF_INET, h.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

}  // namespace fanout
}  // namespace secretsync

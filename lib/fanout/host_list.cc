// Host list parsing.
#include "lib/fanout/host_list.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace fanout {

absl::Status CheckHost(absl::string_view host) {
  const size_t colon = host.rfind(':');
  const bool bracketed = !host.empty() && host.front() == '[';
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      (bracketed && host[colon - 1] != ']') ||
      !absl::SimpleAtoi(host.substr(colon + 1), &port) || port < 1 || port > 65535 ||
      host.find_first_of(" \t") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("host \"", host.substr(0, 200), "\": expected host:port"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ParseHostList(absl::string_view text,
                                                       absl::string_view source) {
  std::vector<std::string> hosts;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    if (absl::Status s = CheckHost(line); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(source, " line ", line_no, ": ", s.message()));
    }
    MergeHosts(hosts, {std::string(line)});
  }
  return hosts;
}

void MergeHosts(std::vector<std::string>& hosts, const std::vector<std::string>& more) {
  for (const std::string& h : more) {
    if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
  }
}

}  // namespace fanout
}  // namespace secretsync

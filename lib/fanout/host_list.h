// The fan-out's list of agents: "host:port" entries from flags and files.
#ifndef SECRETSYNC_LIB_FANOUT_HOST_LIST_H_
#define SECRETSYNC_LIB_FANOUT_HOST_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace fanout {

// Parses a hosts file: one "host:port" or "[v6]:port" per line; blank lines
// and '#' comments are ignored. `source` names the file in errors.
// INVALID_ARGUMENT (naming the line) for an entry without a port.
absl::StatusOr<std::vector<std::string>> ParseHostList(absl::string_view text,
                                                       absl::string_view source);

// Appends `more` to `hosts`, dropping repeats (first occurrence wins).
void MergeHosts(std::vector<std::string>& hosts, const std::vector<std::string>& more);

// INVALID_ARGUMENT unless `host` is "name:port" / "[v6]:port" with a port in 1..65535.
absl::Status CheckHost(absl::string_view host);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_HOST_LIST_H_

// Loads the hub's config (text-format HubConfig), fills defaults and checks
// it, reporting the first problem as `file:line:col: message`.
#ifndef SECRETSYNC_LIB_HUB_HUB_CONFIG_H_
#define SECRETSYNC_LIB_HUB_HUB_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/fanout/host_list.h"
#include "proto/hub.pb.h"

namespace secretsync {
namespace hub {

// A checked config with defaults filled in and each route's hosts resolved
// (hosts, then hosts_file, repeats dropped), index for index with routes.
struct LoadedHubConfig {
  secretsync::v1::HubConfig config;
  std::vector<std::vector<fanout::HostEntry>> route_hosts;
};

// Parses and checks `text` (named `filename` in messages); relative file
// names resolve against `dir`, and hosts files are read through `fs`.
// Checks: a listen address HOST:PORT; TLS cert and key both or neither;
// plaintext only with plaintext_loopback and a loopback address (and then no
// TLS files); a webhook key file; agent mTLS files (all three) unless
// insecure_loopback_plaintext, which needs every route host on loopback;
// limits in range; each route with project_id, environment, a valid
// secret_path glob, at least one host, unique names. Errors:
// FailedPrecondition tagged exit 78 with "file:line:col: message" (the parse
// error's position or the offending field's); NotFound for a missing hosts file.
absl::StatusOr<LoadedHubConfig> ParseHubConfig(absl::string_view text, absl::string_view filename,
                                               absl::string_view dir, Filesystem& fs);

// Reads `path` (at most 1 MiB) and calls ParseHubConfig. NotFound (66) when
// it does not exist.
absl::StatusOr<LoadedHubConfig> LoadHubConfig(absl::string_view path, Filesystem& fs);

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_HUB_CONFIG_H_

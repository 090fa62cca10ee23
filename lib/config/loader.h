// Loads the deployment config (text-format DeploymentConfig) and checks it,
// reporting every problem as `file:line:col: message`.
#ifndef SECRETSYNC_LIB_CONFIG_LOADER_H_
#define SECRETSYNC_LIB_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace config {

// A loaded config plus the folder its relative paths are resolved against.
struct LoadedConfig {
  secretsync::v1::DeploymentConfig config;
  std::string path;  // the file it came from
  std::string dir;   // its folder; relative template/output/ca paths resolve here
};

// Parses `text` (named `filename` in messages) and checks it: known generator
// kinds with sizes in range, valid and unique secret names, an octal file mode,
// one auth method with one credential source. Defaults are filled in
// (secret_path "/", file_mode "0600", timeouts, lock_file). Relative paths are
// made absolute against `dir`. Errors: FailedPrecondition with
// "file:line:col: message" for the first problem found.
absl::StatusOr<LoadedConfig> ParseConfig(absl::string_view text, absl::string_view filename,
                                         absl::string_view dir);

// Reads `path` and calls ParseConfig. NotFound when the file does not exist,
// FailedPrecondition when it cannot be read or is invalid.
absl::StatusOr<LoadedConfig> LoadConfig(absl::string_view path);

// Returns the spec of `name`, or nullptr.
const secretsync::v1::SecretSpec* FindSpec(const secretsync::v1::DeploymentConfig& config,
                                           absl::string_view name);

}  // namespace config
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_CONFIG_LOADER_H_

// Loads the deployment config (text-format DeploymentConfig) and checks it,
// reporting every problem as `file:line:col: message`.
#ifndef SECRETSYNC_LIB_CONFIG_LOADER_H_
#define SECRETSYNC_LIB_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace config {

// Command-line overrides of config fields; empty means "keep the config's".
// Paths are taken as given (the caller makes them absolute: they are relative
// to the user's folder, not the config's).
struct ConfigOverrides {
  std::string site_url;
  std::string environment;
  std::string secret_path;
  std::string template_path;
  std::string output_path;
};

// A loaded config plus the folder its relative paths are resolved against.
struct LoadedConfig {
  secretsync::v1::DeploymentConfig config;
  std::string path;  // the file it came from
  std::string dir;   // its folder; relative template/output/ca paths resolve here
};

// Parses `text` (named `filename` in messages), applies `overrides` and checks
// it: known generator
// kinds with sizes in range, valid and unique secret names, an octal file mode,
// one auth method with one credential source. Defaults are filled in
// after the overrides, so derived paths follow them (lock_file defaults to
// <output>.lock of the overridden output): secret_path "/", file_mode "0600",
// timeouts, lock_file. Relative paths are
// made absolute against `dir`. Errors: FailedPrecondition with
// "file:line:col: message" for the first problem found.
absl::StatusOr<LoadedConfig> ParseConfig(absl::string_view text, absl::string_view filename,
                                         absl::string_view dir,
                                         const ConfigOverrides& overrides = {});

// Reads `path` (at most 1 MiB) through `fs` and calls ParseConfig; a relative
// `path` is taken against the process's folder. NotFound when the file does
// not exist, FailedPrecondition when it cannot be read or is invalid.
absl::StatusOr<LoadedConfig> LoadConfig(absl::string_view path, Filesystem& fs,
                                        const ConfigOverrides& overrides = {});

// Returns the spec of `name`, or nullptr.
const secretsync::v1::SecretSpec* FindSpec(const secretsync::v1::DeploymentConfig& config,
                                           absl::string_view name);

}  // namespace config
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_CONFIG_LOADER_H_

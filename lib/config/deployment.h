// A deployment config resolved once, the same way for sync, keygen, rotate and
// the agent: flag overrides applied before defaults, paths absolute, the file
// mode and owner/group resolved to numbers.
#ifndef SECRETSYNC_LIB_CONFIG_DEPLOYMENT_H_
#define SECRETSYNC_LIB_CONFIG_DEPLOYMENT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/environment.h"
#include "lib/base/filesystem.h"
#include "lib/base/user_directory.h"
#include "lib/config/loader.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace config {

struct Deployment {
  v1::DeploymentConfig config;  // overrides applied, defaults filled, paths absolute
  std::string config_path;      // absolute
  uint32_t file_mode = 0600;    // of the output
  std::optional<uid_t> owner;   // nullopt: keep the existing output's owner
  std::optional<gid_t> group;   // nullopt: keep the existing output's group
};

// Loads the config at `config_path` and resolves it. Relative `config_path`
// and override paths are taken against the user's folder
// ($BUILD_WORKING_DIRECTORY under `bazel run`, else the current folder).
// Errors: InvalidArgument when `config_path` is empty; NotFound when the file
// does not exist; FailedPrecondition ("file:line:col: ..." or naming the
// field) for an invalid config, an unknown owner or group.
absl::StatusOr<Deployment> LoadDeployment(absl::string_view config_path,
                                          ConfigOverrides overrides, Filesystem& fs,
                                          const Environment& env, const UserDirectory& users);

// Resolves an already loaded config (ParseConfig's result): mode, owner, group.
absl::StatusOr<Deployment> ResolveDeployment(LoadedConfig loaded, const UserDirectory& users);

}  // namespace config
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_CONFIG_DEPLOYMENT_H_

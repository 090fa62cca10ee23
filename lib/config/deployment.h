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

// Where a deployment's rotation state lives; the one definition that rotate
// (which writes it) and sync (which refuses to render while a rotation is
// pending) share.
//
// The folder of the rotation journals: rotation.state_dir (a relative one
// against the config file's folder), by default `.secretsync-rotate` beside
// the output.
std::string RotationStateDir(const Deployment& d);

// The journal of a rotation of `secret_name` in this deployment:
// `<state_dir>/<output basename>-<8 hex digits>.<secret_name>.journal`, the
// digits from the SHA-256 of the absolute output path. Two deployments whose
// state folders are one folder never share a journal, even with equal output
// basenames.
std::string RotationJournalPath(const Deployment& d, absl::string_view secret_name);

// Where the journal of `secret_name` was kept before journals were per
// deployment (`<state_dir>/<secret_name>.journal`). One found there may belong
// to any deployment using the folder: it is never ignored (rotate refuses to
// go on until it is moved, sync treats it as a pending rotation).
std::string LegacyRotationJournalPath(const Deployment& d, absl::string_view secret_name);

// The secret holding a rotation's new value until it is in force:
// `<secret_name>__PENDING`.
std::string PendingSecretName(absl::string_view secret_name);

}  // namespace config
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_CONFIG_DEPLOYMENT_H_

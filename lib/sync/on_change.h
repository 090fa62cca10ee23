// The on-change command: run after the output changed, and retried by every
// later run while an earlier attempt has failed or was interrupted (the
// pending command is remembered beside the lock from before it starts until
// it succeeds), so that services never keep running on old secrets.
#ifndef SECRETSYNC_LIB_SYNC_ON_CHANGE_H_
#define SECRETSYNC_LIB_SYNC_ON_CHANGE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/app/system.h"
#include "lib/config/deployment.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace sync {

// What to tell the command: the variables that changed and the services to
// restart (names only).
struct OnChangeRequest {
  std::vector<std::string> changed;
  std::vector<std::string> services;
};

// SECRETSYNC_CHANGED holds at most this many bytes of the comma-separated
// names; the full list is always in the file SECRETSYNC_CHANGED_FILE names.
inline constexpr size_t kMaxChangedEnvBytes = 4096;

// Where a pending command is remembered: "<lock_file>.onchange-failed". It
// exists while the command runs and after it failed; a run killed meanwhile
// leaves it for the next run.
std::string PendingOnChangePath(const config::Deployment& d);

// The failed or interrupted command an earlier run left, if any. A marker that cannot be
// parsed counts as a pending command with no names (it is retried all the
// same). Errors: those of reading the marker other than NotFound.
absl::StatusOr<std::optional<v1::PendingOnChange>> ReadPendingOnChange(
    const config::Deployment& d, Filesystem& fs);

// The command's whole environment: the allowlisted variables of `env` (PATH,
// HOME, USER, LOGNAME, SHELL, LANG, LC_*, TZ, DOCKER_*, COMPOSE_*, and the
// config's on_change.pass_env) plus `secretsync_vars`. Nothing else of this
// process's environment (Infisical credentials above all) reaches it.
std::map<std::string, std::string> CommandEnvironment(
    const config::Deployment& d, const Environment& env,
    const std::map<std::string, std::string>& secretsync_vars);

// Runs the deployment's on_change command (the caller holds the lock) with
// SECRETSYNC_CHANGED, SECRETSYNC_CHANGED_FILE, SECRETSYNC_SERVICES and
// SECRETSYNC_OUTPUT, merging in the names and services of a pending earlier
// failure. Fills `report`. The pending marker (names, services) is written
// before the command starts (a marker that cannot be written is logged and
// the command runs all the same); the test failpoint
// SECRETSYNC_TEST_FAILPOINT=after:on_change_started (lib/base/failpoint.h)
// kills the process right after it. On success the marker is removed; on
// failure it is kept with the attempt counted and the error, tagged with exit
// code 79, names the services to restart by hand. When this process is root
// and the config names an `owner` other than root, the command runs as that
// owner (and `group`, else the owner's primary group) through
// /usr/bin/setpriv, so root's runs and the owner's own runs act alike.
absl::Status RunOnChange(const config::Deployment& d, OnChangeRequest request, System& sys,
                         v1::CommandReport& report);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_ON_CHANGE_H_

// The step machine of an alternating-users rotation (AWS Secrets Manager's
// multi-user scheme): two roles, the idle one gets a new password, then the
// user and password secrets switch together. The active role's password is
// never changed, so logins with the old .env keep working throughout.
#ifndef SECRETSYNC_LIB_ROTATE_ALTERNATING_ROTATION_H_
#define SECRETSYNC_LIB_ROTATE_ALTERNATING_ROTATION_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/secret_value.h"
#include "lib/rotate/health_rollback.h"
#include "lib/rotate/password_rotation.h"
#include "lib/rotate/role_pair_target.h"
#include "lib/rotate/store_side.h"

namespace secretsync {
namespace rotate {

// Everything one alternating rotation touches. References only: the caller
// owns the parts (and holds the deployment's lock for the whole run).
struct AlternatingRotation {
  Filesystem& fs;
  Clock& clock;
  LogSink& log;
  std::string journal_path;  // in a 0700 state folder
  uid_t owner_uid;           // who must own the journal
  StoreSide& password;       // e.g. POSTGRES_PASSWORD
  StoreSide& user;           // rotation.user_secret, e.g. POSTGRES_USER
  RolePairTarget& target;
  // As PasswordRotation::sync: syncs the .env in-process, runs on-change.
  std::function<absl::Status()> sync;
  // Called at every step boundary ("journal", "pending", "alter_role",
  // "verify", "promote", "sync", "delete_pending").
  std::function<void(absl::string_view)> failpoint;
  // The health check after the restart; no check when empty.
  HealthGate health = {};
};

// OK(true) when a journal or either pending secret shows an unfinished
// rotation.
absl::StatusOr<bool> AlternatingPending(AlternatingRotation& r);

// Rotates the idle role to `next`. The active role is the user secret's value
// (the primary when the secret is missing); a value naming neither role is
// FailedPrecondition and nothing changes. Refuses (exit code 80) while a
// rotation is pending; checks that the stored (user, password) logs in (else
// its error, nothing changed). Then: journal (GENERATED, active and target
// user) -> both pending secrets (PENDING_STORED) -> set the idle role's
// password -> fresh login as it -> promote password and user -> one sync ->
// delete both pending secrets -> the health check -> clear the journal. If
// setting or verifying fails, it settles as AlternatingResume does and
// returns the failure. When the health check fails, both secrets switch back
// to the previous role and its password (which never changed), the .env is
// synced and checked again: exit code 81 (ROLLBACK_NEVER: kept, exit 79).
absl::StatusOr<Outcome> RotateAlternating(AlternatingRotation& r, const SecretValue& next);

// Finishes or undoes an interrupted rotation: probes the new pair (the
// journal's, else the pending secrets') and rolls forward when it logs in;
// else probes the old pair (the journal's, else the stored one) and rolls
// back. A journal past a failed health check finishes that rollback (exit
// code 81), never switching to the new pair again. Neither: FailedPrecondition (exit code 80), nothing changes.
absl::StatusOr<Outcome> ResumeAlternating(AlternatingRotation& r);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ALTERNATING_ROTATION_H_

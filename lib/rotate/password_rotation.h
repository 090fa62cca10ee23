// The step machine of a password rotation (PostgreSQL role password): each
// step safe to repeat, journaled before anything changes, resumable after a
// kill at any instant. Every side effect goes through the seams it is given.
#ifndef SECRETSYNC_LIB_ROTATE_PASSWORD_ROTATION_H_
#define SECRETSYNC_LIB_ROTATE_PASSWORD_ROTATION_H_

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
#include "lib/rotate/password_target.h"
#include "lib/rotate/settle.h"
#include "lib/rotate/store_side.h"

namespace secretsync {
namespace rotate {

// Everything one password rotation touches. References only: the caller owns
// the parts (and holds the deployment's lock for the whole run).
struct PasswordRotation {
  Filesystem& fs;
  Clock& clock;
  LogSink& log;
  std::string journal_path;  // in a 0700 state folder
  uid_t owner_uid;           // who must own the journal
  StoreSide& store;
  PasswordTarget& target;
  // Syncs the .env in-process (lock held) and runs the on-change command.
  // Returns the status tagged with its exit code.
  std::function<absl::Status()> sync;
  // Called at every step boundary with the step's name ("journal",
  // "pending", "alter_role", "verify", "promote", "sync", "delete_pending");
  // the test-only failpoint (failpoint.h) kills the process there.
  std::function<void(absl::string_view)> failpoint;
  // The health check after the restart; no check when empty.
  HealthGate health = {};
};

// OK(true) when a journal or a pending secret shows an unfinished rotation.
absl::StatusOr<bool> RotationPending(PasswordRotation& r);

// Rotates to `next`: refuses (FailedPrecondition, exit code 80) while a
// rotation is pending; checks that the current value in the store logs in
// (else its error, nothing changed); then journal (GENERATED) -> pending
// secret (PENDING_STORED) -> ALTER ROLE -> fresh login with `next` ->
// promote -> sync -> delete the pending secret -> the health check -> clear
// the journal (no
// journal write between the ALTER and the sync, to keep short the stretch in
// which logins with the .env fail; a resume probes instead). If applying or verifying fails, it probes and rolls
// back (or forward) as Resume does and returns the failure; if that cannot
// settle, the error carries exit code 80 and the journal stays. A failed
// sync keeps the journal (Resume finishes it) unless only the on-change
// command failed (exit code 79: the core retries it on later runs). When the
// health check fails, it rolls back (health_rollback.h): Infisical, ALTER ROLE
// and the .env back on the old value, exit code 81; with ROLLBACK_NEVER it
// keeps the new value, exit code 79.
absl::StatusOr<Outcome> RotatePassword(PasswordRotation& r, const SecretValue& next);

// Finishes or undoes an interrupted rotation: with a journal or a pending
// secret, probes the new value (journal's, else the pending secret's) and
// rolls forward when it logs in (promote, delete pending, sync, the health
// check, clear the journal); a journal past a failed health check finishes
// that rollback (FinishRollback: exit code 81), never applying the new value
// again; else probes the old values (journal's and the store's) and rolls
// back to the one that logs in. When none logs in, FailedPrecondition (exit
// code 80) and nothing changes; when the target cannot be reached, its error
// and nothing changes.
absl::StatusOr<Outcome> ResumePassword(PasswordRotation& r);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_PASSWORD_ROTATION_H_

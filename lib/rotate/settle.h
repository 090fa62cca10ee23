// What both rotation strategies (single user, alternating users) do to settle
// a rotation once a probe has told which value is in force: roll forward or
// back, and the errors that say a rotation is pending or its outcome unknown.
#ifndef SECRETSYNC_LIB_ROTATE_SETTLE_H_
#define SECRETSYNC_LIB_ROTATE_SETTLE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/rotate/journal.h"
#include "proto/rotation.pb.h"

namespace secretsync {
namespace rotate {

// What a rotation or a resume did.
enum class Outcome {
  kRotated,         // the new password is in force everywhere
  kRolledForward,   // an interrupted rotation was finished
  kRolledBack,      // an interrupted rotation was undone: the old password stays
  kNothingPending,  // resume found nothing to do
};
const char* OutcomeName(Outcome o);

// The settling steps of one rotation. References only; the caller owns them.
struct Settlement {
  Filesystem& fs;
  LogSink& log;
  const std::string& journal_path;
  std::string what;  // the secret(s), for messages: "POSTGRES_USER/POSTGRES_PASSWORD"
  // Makes the store hold the value(s) in force. Safe to repeat.
  std::function<absl::Status()> store;
  // Deletes the pending secret(s). Safe to repeat.
  std::function<absl::Status()> delete_pending;
  // Syncs the .env in-process and runs the on-change command; the status is
  // tagged with its exit code.
  std::function<absl::Status()> sync;
  // Step-boundary hook (failpoint.h); may be empty.
  std::function<void(absl::string_view)> failpoint;
  // RollForward, after a sync that ran fine and the pending secret(s)
  // deleted, before the journal is cleared: the health check
  // (CheckAfterRestart). An error is returned as is; it has settled the
  // journal itself. May be empty.
  std::function<absl::Status()> after_sync = nullptr;
};

// The new value is in force: store -> "promote" -> sync (the .env first:
// until it is in place, logins with it may fail) -> "sync" -> delete the
// pending secret(s) -> "delete_pending" -> after_sync (the health check, which
// may roll everything back: its error) -> clear the journal. A failed sync
// (other than exit code 79, on-change only, which the sync core retries on
// later runs) keeps the journal and returns its error, telling to resume.
// Returns `outcome`, or the exit-79 status when only the command failed.
absl::StatusOr<Outcome> RollForward(const Settlement& s, Outcome outcome);

// The old value is in force: store it, delete the pending secret(s), sync,
// clear the journal. kRolledBack, or as RollForward for a failed sync.
absl::StatusOr<Outcome> RollBack(const Settlement& s);

// FailedPrecondition tagged exit 80: "rotation of <what> is pending (<why>):
// run rotate --resume".
absl::Status PendingError(absl::string_view what, absl::string_view why);

// Whether an error from setting a password leaves its outcome unknown: a
// timeout or a lost connection, after which the server may still commit the
// change. Rolling back then could leave a password stored nowhere.
bool OutcomeUnknown(const absl::Status& apply_error);

// FailedPrecondition tagged exit 80 for an OutcomeUnknown `apply_error`:
// names `what` and the error, says the journal and the pending secret(s) are
// kept and that rotate --resume probes and settles it.
absl::Status OutcomeUnknownError(absl::string_view what, const absl::Status& apply_error);

// FailedPrecondition tagged exit 80 when `journal` was written by another
// strategy than the one configured (`alternating`): resuming it with the
// wrong step machine would probe the wrong roles. A journal from before the
// strategies existed (unspecified) counts as single user. OK otherwise.
absl::Status CheckJournalStrategy(const Journal& journal, absl::string_view path,
                                  bool alternating);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_SETTLE_H_

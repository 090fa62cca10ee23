// RollForward / RollBack and the pending-rotation errors; see settle.h.
#include "lib/rotate/settle.h"

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace rotate {
namespace {

void Hit(const Settlement& s, absl::string_view where) {
  if (s.failpoint) s.failpoint(where);
}

bool SyncFailed(const absl::Status& synced) {
  return !synced.ok() && ExitCodeFromStatus(synced) != kExitOnChangeFailed;
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kRotated:
      return "rotated";
    case Outcome::kRolledForward:
      return "rolled_forward";
    case Outcome::kRolledBack:
      return "rolled_back";
    case Outcome::kNothingPending:
      return "nothing_pending";
  }
  return "unknown";
}

absl::StatusOr<Outcome> RollForward(const Settlement& s, Outcome outcome) {
  SS_RETURN_IF_ERROR(s.store());
  Hit(s, "promote");
  absl::Status synced = s.sync();
  if (SyncFailed(synced)) {
    Logger(s.log).Error("rotate.sync_failed").Field("secret", s.what);
    return Annotate(synced, absl::StrCat("rotation of ", s.what,
                                         ": the new value is in force and stored; sync the "
                                         ".env with rotate --resume"));
  }
  Hit(s, "sync");
  SS_RETURN_IF_ERROR(s.delete_pending());
  Hit(s, "delete_pending");
  // The application restarted with the new value: check it, unless its
  // restart failed (exit code 79, retried by later runs).
  if (synced.ok() && s.after_sync) SS_RETURN_IF_ERROR(s.after_sync());
  SS_RETURN_IF_ERROR(ClearJournal(s.fs, s.journal_path));
  if (!synced.ok()) return synced;  // exit code 79: everything else is done
  return outcome;
}

absl::StatusOr<Outcome> RollBack(const Settlement& s) {
  SS_RETURN_IF_ERROR(s.store());
  SS_RETURN_IF_ERROR(s.delete_pending());
  absl::Status synced = s.sync();
  if (SyncFailed(synced)) {
    return Annotate(synced, absl::StrCat("rotation of ", s.what,
                                         ": the old value is back in force and stored; sync "
                                         "the .env with rotate --resume"));
  }
  SS_RETURN_IF_ERROR(ClearJournal(s.fs, s.journal_path));
  if (!synced.ok()) return synced;
  return Outcome::kRolledBack;
}

absl::Status PendingError(absl::string_view what, absl::string_view why) {
  return WithExitCode(absl::FailedPreconditionError(absl::StrCat(
                          "rotation of ", what, " is pending (", why, "): run rotate --resume")),
                      kExitRotationPending);
}

bool OutcomeUnknown(const absl::Status& apply_error) {
  return absl::IsDeadlineExceeded(apply_error) || absl::IsUnavailable(apply_error);
}

absl::Status OutcomeUnknownError(absl::string_view what, const absl::Status& apply_error) {
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "rotation of ", what, ": the outcome is unknown (", apply_error.message(),
          "): the server may still apply the new password, so the journal and the pending "
          "secret are kept; run rotate --resume, which probes which password logs in and "
          "settles it")),
      kExitRotationPending);
}

absl::Status CheckJournalStrategy(const Journal& journal, absl::string_view path,
                                  bool alternating) {
  const bool written_alternating = journal.strategy == v1::ALTERNATING_USERS;
  if (written_alternating == alternating) return absl::OkStatus();
  const char* written = written_alternating ? "ALTERNATING_USERS" : "SINGLE_USER";
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "rotation journal ", path, ": written by a ", written,
          " rotation; set rotation.strategy back to ", written, " and run rotate --resume")),
      kExitRotationPending);
}

}  // namespace rotate
}  // namespace secretsync

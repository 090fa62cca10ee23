// The health check after rotate's restart and the rollback; see
// health_rollback.h.
#include "lib/rotate/health_rollback.h"

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/rotate/settle.h"

namespace secretsync {
namespace rotate {
namespace {

using Step = v1::RotationJournal;

void Hit(const HealthRollback& h, absl::string_view where) {
  if (h.failpoint) h.failpoint(where);
}

absl::Status Record(const HealthRollback& h, JournalStep step) {
  h.journal.step = step;
  h.journal.updated = h.clock.TimeNow();
  return Annotate(WriteJournal(h.fs, h.journal_path, h.journal), "rotation journal");
}

// "GET http://...: status 500 (want 200)": names and reasons, never values.
std::string Why(const v1::HealthReport& r) {
  std::string why = r.check().empty() ? "health check" : r.check();
  if (!r.detail().empty()) absl::StrAppend(&why, ": ", r.detail());
  absl::StrAppend(&why, " after ", r.attempts(), r.attempts() == 1 ? " attempt" : " attempts");
  return why;
}

// A rollback step failed: the journal stays, a resume repeats the rollback.
absl::Status Stuck(const HealthRollback& h, const absl::Status& s, absl::string_view step) {
  Logger(h.log).Error("rotate.rollback_failed").Field("secret", h.what).Field("step", step);
  return PendingError(h.what, absl::StrCat("the application was unhealthy with the new value and "
                                           "its rollback stopped at ",
                                           step, ": ", s.message()));
}

}  // namespace

bool InHealthRollback(const Journal& journal) {
  switch (journal.step) {
    case Step::HEALTH_FAILED:
    case Step::ROLLBACK_STORED:
    case Step::ROLLBACK_APPLIED:
    case Step::ROLLBACK_SYNCED:
      return true;
    default:
      return false;
  }
}

absl::Status CheckAfterRestart(const HealthRollback& h) {
  if (!h.gate.check) return absl::OkStatus();
  Logger log(h.log);
  v1::HealthReport verdict = h.gate.check();
  if (verdict.outcome() == v1::HEALTHY) {
    log.Info("rotate.healthy").Field("secret", h.what).Field("attempts", verdict.attempts());
    if (h.gate.report != nullptr) *h.gate.report = verdict;
    return absl::OkStatus();
  }
  log.Error("rotate.unhealthy")
      .Field("secret", h.what)
      .Field("attempts", verdict.attempts())
      .Field("roll_back", h.gate.roll_back ? "yes" : "no");
  if (!h.gate.roll_back) {
    verdict.set_outcome(v1::UNHEALTHY);
    if (h.gate.report != nullptr) *h.gate.report = verdict;
    SS_RETURN_IF_ERROR(ClearJournal(h.fs, h.journal_path));
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            "rotation of ", h.what, ": the application is unhealthy with the new value (",
            Why(verdict), "); kept it (rollback_on_unhealthy is ROLLBACK_NEVER)")),
        kExitOnChangeFailed);
  }
  verdict.set_outcome(v1::UNHEALTHY_ROLLED_BACK);
  h.journal.health = verdict;
  SS_RETURN_IF_ERROR(Record(h, Step::HEALTH_FAILED));
  Hit(h, "health_failed");
  return FinishRollback(h);
}

absl::Status FinishRollback(const HealthRollback& h) {
  Logger log(h.log);
  log.Info("rotate.rollback").Field("secret", h.what);
  absl::Status s = h.store_old();
  if (!s.ok()) return Stuck(h, s, "rollback_store");
  if (h.journal.step < Step::ROLLBACK_STORED) {
    SS_RETURN_IF_ERROR(Record(h, Step::ROLLBACK_STORED));
  }
  Hit(h, "rollback_store");
  s = h.apply_old();
  if (!s.ok()) return Stuck(h, s, "rollback_db");
  if (h.journal.step < Step::ROLLBACK_APPLIED) {
    SS_RETURN_IF_ERROR(Record(h, Step::ROLLBACK_APPLIED));
  }
  Hit(h, "rollback_db");
  s = h.sync();
  // Exit 79: the .env is back, only the on-change command failed (the sync
  // core retries it on later runs); the check below then tells.
  if (!s.ok() && ExitCodeFromStatus(s) != kExitOnChangeFailed) {
    return Stuck(h, s, "rollback_sync");
  }
  if (h.journal.step < Step::ROLLBACK_SYNCED) {
    SS_RETURN_IF_ERROR(Record(h, Step::ROLLBACK_SYNCED));
  }
  Hit(h, "rollback_synced");
  s = h.verify_old();
  if (!s.ok()) return Stuck(h, s, "verify the old value with a fresh login");

  v1::HealthReport report = h.journal.health;
  report.set_outcome(v1::UNHEALTHY_ROLLED_BACK);
  if (h.gate.check) {
    v1::HealthReport again = h.gate.check();
    report.set_healthy_after_rollback(again.outcome() == v1::HEALTHY);
  }
  if (h.gate.report != nullptr) *h.gate.report = report;
  SS_RETURN_IF_ERROR(ClearJournal(h.fs, h.journal_path));
  log.Info("rotate.rolled_back_unhealthy")
      .Field("secret", h.what)
      .Field("healthy_after_rollback", report.healthy_after_rollback() ? "yes" : "no");
  return WithExitCode(
      absl::AbortedError(absl::StrCat(
          "rotation of ", h.what, ": rolled back, the application was unhealthy with the new "
          "value (", Why(report), "); the previous value is back in the secret store, the "
          "database and the .env",
          report.healthy_after_rollback() ? "" : ", but the check still fails with it")),
      kExitRolledBack);
}

}  // namespace rotate
}  // namespace secretsync

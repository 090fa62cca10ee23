// The health gate: HoldBackRejected before the write, VerifyChange (check,
// roll back, check again) after the on-change command.
#include "lib/sync/health_gate.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/base/exit_codes.h"
#include "lib/base/log.h"
#include "lib/base/sha256.h"
#include "lib/base/status_macros.h"
#include "lib/health/health_runner.h"
#include "lib/health/make_health_checker.h"
#include "lib/sync/rejected_content.h"

namespace secretsync {
namespace sync {
namespace {

std::string Time(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// One run of the configured check.
v1::HealthReport Check(const config::Deployment& d, System& sys) {
  std::unique_ptr<health::HealthChecker> checker = health::MakeHealthChecker(
      d.config.health_check(), sys.commands,
      CommandEnvironment(d, sys.env, {{"SECRETSYNC_OUTPUT", d.config.output_path()}}));
  return health::RunHealthCheck(d.config.health_check(), *checker, sys.clock);
}

std::string Finding(const v1::HealthReport& h) {
  return absl::StrCat(h.check(), ": ", h.detail(), " (", h.attempts(),
                      h.attempts() == 1 ? " attempt)" : " attempts)");
}

void LogOutcome(Logger& log, const char* event, const v1::HealthReport& h) {
  log.Info(event)
      .Field("check", h.check())
      .Field("outcome", v1::HealthOutcome_Name(h.outcome()))
      .Field("attempts", h.attempts())
      .Field("ms", h.duration_ms());
}

absl::Status Unhealthy(const config::Deployment& d, absl::string_view why,
                       const v1::HealthReport& h) {
  return WithExitCode(
      absl::UnavailableError(absl::StrCat("health check failed: ", Finding(h), "; ",
                                          d.config.output_path(), " keeps the change (", why,
                                          ")")),
      kExitOnChangeFailed);
}

}  // namespace

absl::Status HoldBackRejected(const config::Deployment& d, const std::string& sha256,
                              System& sys, v1::SyncReport& report) {
  Logger log(sys.log);
  absl::StatusOr<std::optional<RejectedContent>> rejected = ReadRejectedContent(d, sys.fs);
  if (!rejected.ok()) {
    log.Warn("sync.rejected_record_unreadable").Field("why", rejected.status().message());
    return absl::OkStatus();
  }
  if (!rejected->has_value() || (*rejected)->sha256 != sha256) return absl::OkStatus();
  v1::HealthReport& h = *report.mutable_health();
  h.set_outcome(v1::HELD_BACK);
  h.set_rejected_at_unix((*rejected)->rejected_at_unix);
  log.Warn("sync.held_back").Field("path", d.config.output_path());
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "held back: unhealthy at ", Time((*rejected)->rejected_at_unix),
          ": the application was unhealthy with this content of ", d.config.output_path(),
          " and it was rolled back; it is applied again once the secrets change, or with "
          "sync --force")),
      kExitRolledBack);
}

absl::Status VerifyChange(const config::Deployment& d, const RollbackPlan& plan, System& sys,
                          v1::SyncReport& report) {
  Logger log(sys.log);
  v1::HealthReport& h = *report.mutable_health();
  h = Check(d, sys);
  LogOutcome(log, "sync.health", h);
  const std::string finding = Finding(h);
  if (h.outcome() == v1::HEALTHY) {
    absl::Status cleared = ClearRejectedContent(d, sys.fs);
    if (!cleared.ok()) log.Warn("sync.rejected_record_not_cleared").Field("why", cleared.message());
    return absl::OkStatus();
  }
  if (d.config.health_check().rollback_on_unhealthy() == v1::ROLLBACK_NEVER) {
    return Unhealthy(d, "rollback_on_unhealthy is ROLLBACK_NEVER", h);
  }
  if (plan.previous == nullptr) {
    return Unhealthy(d,
                     report.written() ? "nothing to roll back to: it did not exist before"
                                      : "nothing to roll back to: this run did not change it",
                     h);
  }
  absl::Status restored = plan.restore(*plan.previous);
  if (!restored.ok()) {
    return WithExitCode(
        Annotate(restored, absl::StrCat("health check failed: ", finding,
                                        "; roll back ", d.config.output_path())),
        kExitCantCreate);
  }
  report.set_content_sha256(Sha256Hex(*plan.previous));
  log.Warn("sync.rolled_back").Field("path", d.config.output_path());
  const int64_t now = absl::ToUnixSeconds(sys.clock.TimeNow());
  absl::Status recorded = WriteRejectedContent(d, sys.fs, {plan.rejected_sha256, now});
  if (!recorded.ok()) log.Warn("sync.rejected_record_not_written").Field("why", recorded.message());

  v1::CommandReport again;
  absl::Status command = RunOnChange(d, plan.on_change, sys, again);
  std::string after;
  if (command.ok()) {
    v1::HealthReport second = Check(d, sys);
    LogOutcome(log, "sync.health_after_rollback", second);
    h.set_healthy_after_rollback(second.outcome() == v1::HEALTHY);
    h.set_attempts(h.attempts() + second.attempts());
    h.set_duration_ms(h.duration_ms() + second.duration_ms());
    after = h.healthy_after_rollback()
                ? "the application is healthy again"
                : absl::StrCat("the application is still unhealthy: ", second.detail());
  } else {
    after = absl::StrCat("but the on-change command after the rollback failed: ",
                         command.message());
  }
  h.set_outcome(v1::UNHEALTHY_ROLLED_BACK);
  return WithExitCode(
      absl::AbortedError(absl::StrCat(
          "the change was rolled back: the application was unhealthy with it (", finding,
          "); ", d.config.output_path(), " has its previous content again; ", after,
          recorded.ok() ? "" : "; could not record the rejected content, so the next run tries it again")),
      kExitRolledBack);
}

}  // namespace sync
}  // namespace secretsync

// RunHealthCheck: the retry loop; the checkers do the asking.
#include "lib/health/health_runner.h"

#include "lib/config/health_check_config.h"

namespace secretsync {
namespace health {
namespace {

uint32_t Or(uint32_t value, uint32_t fallback) { return value == 0 ? fallback : value; }

}  // namespace

v1::HealthReport RunHealthCheck(const v1::HealthCheck& config, HealthChecker& checker,
                                Clock& clock) {
  const absl::Time start = clock.TimeNow();
  const absl::Duration timeout = absl::Milliseconds(Or(config.timeout_ms(), config::kDefaultHealthTimeoutMs));
  const uint32_t attempts = Or(config.attempts(), config::kDefaultHealthAttempts);
  const absl::Duration interval = absl::Milliseconds(Or(config.interval_ms(), config::kDefaultHealthIntervalMs));
  v1::HealthReport report;
  report.set_check(checker.Label());
  if (config.start_delay_ms() > 0) clock.Sleep(absl::Milliseconds(config.start_delay_ms()));
  AttemptResult last;
  for (uint32_t i = 0; i < attempts; ++i) {
    if (i > 0) clock.Sleep(interval);
    last = checker.Attempt(timeout);
    report.set_attempts(static_cast<int32_t>(i + 1));
    if (last.healthy) break;
  }
  report.set_outcome(last.healthy ? v1::HEALTHY : v1::UNHEALTHY);
  if (!last.healthy) report.set_detail(last.detail);
  report.set_duration_ms(absl::ToInt64Milliseconds(clock.TimeNow() - start));
  return report;
}

}  // namespace health
}  // namespace secretsync

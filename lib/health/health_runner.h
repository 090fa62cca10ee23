// RunHealthCheck: start delay, attempts and interval around a HealthChecker,
// timed through the injected Clock (FakeClock in tests: no real sleeping).
#ifndef SECRETSYNC_LIB_HEALTH_HEALTH_RUNNER_H_
#define SECRETSYNC_LIB_HEALTH_HEALTH_RUNNER_H_

#include "lib/base/clock.h"
#include "lib/health/health_checker.h"
#include "proto/config.pb.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace health {

// Fields left 0 take lib/config's defaults (health_check_config.h). Sleeps
// start_delay_ms, then makes up to `attempts` attempts of
// `timeout_ms` each, sleeping interval_ms between them, and stops at the
// first healthy one. Returns a report with outcome HEALTHY or UNHEALTHY, the
// checker's label, the attempts made, the time taken (clock time, delay
// included) and, when unhealthy, the last attempt's detail. Never fails.
v1::HealthReport RunHealthCheck(const v1::HealthCheck& config, HealthChecker& checker,
                                Clock& clock);

}  // namespace health
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HEALTH_HEALTH_RUNNER_H_

// Checks a deployment's health_check and fills its defaults (docs/sync.md,
// "Health check"). Kept apart from loader.cc, which places the error.
#ifndef SECRETSYNC_LIB_CONFIG_HEALTH_CHECK_CONFIG_H_
#define SECRETSYNC_LIB_CONFIG_HEALTH_CHECK_CONFIG_H_

#include "absl/status/status.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace config {

// Defaults of the fields left 0.
inline constexpr uint32_t kDefaultHealthTimeoutMs = 5000;
inline constexpr uint32_t kDefaultHealthAttempts = 3;
inline constexpr uint32_t kDefaultHealthIntervalMs = 1000;

// Bounds of the numeric fields (0 means the default).
inline constexpr uint32_t kMaxHealthTimeoutMs = 120000;
inline constexpr uint32_t kMaxHealthAttempts = 30;
inline constexpr uint32_t kMaxHealthIntervalMs = 60000;
inline constexpr uint32_t kMaxHealthStartDelayMs = 300000;

// Requires exactly one of http/command; an http(s) URL with a host; an
// expect_status of 100..599 (0 = 200); not both ca_bundle and
// insecure_skip_verify; a non-empty command; timeout_ms, attempts,
// interval_ms and start_delay_ms within the bounds above. Then fills the
// defaults above and expect_status 200.
// Errors: FailedPrecondition "health_check.<field>: why" (exit 78); `check`
// may be half-filled then.
absl::Status CheckHealthCheck(v1::HealthCheck& check);

}  // namespace config
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_CONFIG_HEALTH_CHECK_CONFIG_H_

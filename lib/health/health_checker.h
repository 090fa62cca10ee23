// HealthChecker seam: one attempt at asking an application whether it works.
// The HTTP and command checkers implement it; tests use fakes.
#ifndef SECRETSYNC_LIB_HEALTH_HEALTH_CHECKER_H_
#define SECRETSYNC_LIB_HEALTH_HEALTH_CHECKER_H_

#include <string>

#include "absl/time/time.h"

namespace secretsync {
namespace health {

// What one attempt found. `detail` says why it failed in words safe to log
// and report ("status 500, want 200", "exit 3", "timed out after 5000 ms",
// "connection refused"): never a reply body nor a command's output.
struct AttemptResult {
  bool healthy = false;
  std::string detail;
};

// One kind of check. Implementations are thread-compatible: one Attempt at a
// time.
class HealthChecker {
 public:
  virtual ~HealthChecker() = default;
  // What is checked, safe to report: "GET <url>" or a command's basename.
  virtual std::string Label() const = 0;
  // Runs one attempt bounded by `timeout`. Never fails: every problem
  // (refused, timed out, wrong status, cannot start) is an unhealthy result.
  virtual AttemptResult Attempt(absl::Duration timeout) = 0;
};

}  // namespace health
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HEALTH_HEALTH_CHECKER_H_

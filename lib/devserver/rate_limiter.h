// Optional per-client request limit (Infisical Cloud's @fastify/rate-limit
// behaviour): a fixed one-minute window per client address.
#ifndef SECRETSYNC_LIB_DEVSERVER_RATE_LIMITER_H_
#define SECRETSYNC_LIB_DEVSERVER_RATE_LIMITER_H_

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"

namespace secretsync {
namespace devserver {

struct RateDecision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;
  int reset_seconds = 0;  // until the window restarts; the 429's retry-after
};

// Counts requests per key in windows of one minute from the key's first
// request. Not thread-safe (DevApi calls it under its lock).
class RateLimiter {
 public:
  RateLimiter(Clock& clock, int limit_per_minute) : clock_(clock), limit_(limit_per_minute) {}
  // Counts one request of `key` and says whether it is within the limit.
  RateDecision Check(absl::string_view key);

 private:
  struct Window {
    absl::Time start;
    int count = 0;
  };
  Clock& clock_;
  int limit_;
  std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_RATE_LIMITER_H_

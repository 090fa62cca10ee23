// Per-caller rate limit for the agent: one token bucket per caller identity.
#ifndef SECRETSYNC_LIB_AGENT_TOKEN_BUCKET_H_
#define SECRETSYNC_LIB_AGENT_TOKEN_BUCKET_H_

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"

namespace secretsync {
namespace agent {

// A bucket of `burst` tokens per key, refilled at `per_minute` tokens a minute
// (read from the injected clock; no timers, so an idle agent never wakes up
// for it). Keys are caller identities; at most `max_keys` buckets are kept:
// when full, buckets that have refilled completely are dropped (they carry no
// state), and if none has, the one closest to full is. Thread-safe; the clock
// must outlive the limiter.
class TokenBucketLimiter {
 public:
  TokenBucketLimiter(Clock& clock, double per_minute, double burst, size_t max_keys = 4096);
  // Takes one token of `key`; false when its bucket is empty.
  bool Allow(absl::string_view key);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  void Refill(Bucket& b, absl::Time now) const;
  void Evict(absl::Time now);

  Clock& clock_;
  const double per_second_;
  const double burst_;
  const size_t max_keys_;
  std::mutex mu_;  // std::mutex: TSan cannot see Debian's uninstrumented absl::Mutex
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_TOKEN_BUCKET_H_

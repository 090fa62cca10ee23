// Token buckets refilled lazily from the clock on each Allow().
#include "lib/agent/token_bucket.h"

#include <algorithm>

namespace secretsync {
namespace agent {

TokenBucketLimiter::TokenBucketLimiter(Clock& clock, double per_minute, double burst,
                                       size_t max_keys)
    : clock_(clock),
      per_second_(per_minute / 60.0),
      burst_(std::max(burst, 1.0)),
      max_keys_(std::max<size_t>(max_keys, 1)) {}

void TokenBucketLimiter::Refill(Bucket& b, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  b.updated = now;
}

void TokenBucketLimiter::Evict(absl::Time now) {
  auto oldest = buckets_.end();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    if (it->second.tokens >= burst_) {
      it = buckets_.erase(it);
      continue;
    }
    if (oldest == buckets_.end() || it->second.tokens > oldest->second.tokens) oldest = it;
    ++it;
  }
  if (buckets_.size() >= max_keys_ && oldest != buckets_.end()) buckets_.erase(oldest);
}

bool TokenBucketLimiter::Allow(absl::string_view key) {
  const absl::Time now = clock_.TimeNow();
  std::lock_guard<std::mutex> l(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Evict(now);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  Refill(b, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace agent
}  // namespace secretsync

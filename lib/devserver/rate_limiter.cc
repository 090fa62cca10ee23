// Fixed-window request counting.
#include "lib/devserver/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace secretsync {
namespace devserver {

RateDecision RateLimiter::Check(absl::string_view key) {
  absl::Time now = clock_.TimeNow();
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    it = windows_.emplace(std::string(key), Window{now, 0}).first;
  }
  Window& window = it->second;
  if (now - window.start >= absl::Minutes(1)) window = Window{now, 0};
  ++window.count;
  RateDecision decision;
  decision.limit = limit_;
  decision.allowed = window.count <= limit_;
  decision.remaining = std::max(0, limit_ - window.count);
  double left = absl::ToDoubleSeconds(window.start + absl::Minutes(1) - now);
  decision.reset_seconds = std::max(1, static_cast<int>(std::ceil(left)));
  return decision;
}

}  // namespace devserver
}  // namespace secretsync

// ReplayCache: a set of MACs plus an expiry index for pruning in O(expired).
#include "lib/webhook/replay_cache.h"

#include "lib/base/check.h"

namespace secretsync {
namespace webhook {

ReplayCache::ReplayCache(size_t capacity) : capacity_(capacity) { SS_CHECK(capacity_ >= 1); }

void ReplayCache::Prune(absl::Time now) {
  auto it = by_expiry_.begin();
  while (it != by_expiry_.end() && it->first <= now) {
    by_mac_.erase(it->second);
    it = by_expiry_.erase(it);
  }
}

absl::Status ReplayCache::Admit(const Digest& mac, absl::Time expires_at, absl::Time now) {
  Prune(now);
  if (by_mac_.count(mac) > 0) return absl::UnauthenticatedError("webhook signature: replayed");
  if (by_mac_.size() >= capacity_) {
    return absl::UnavailableError("webhook replay cache: full");
  }
  by_mac_.insert(mac);
  by_expiry_.emplace(expires_at, mac);
  return absl::OkStatus();
}

}  // namespace webhook
}  // namespace secretsync

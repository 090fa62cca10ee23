// ReplayCache: the signatures seen inside the timestamp window, bounded in
// time (entries expire with the window) and in count (a flood cannot grow it).
#ifndef SECRETSYNC_LIB_WEBHOOK_REPLAY_CACHE_H_
#define SECRETSYNC_LIB_WEBHOOK_REPLAY_CACHE_H_

#include <cstddef>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace webhook {

// Not thread-safe: WebhookVerifier holds it under its mutex.
class ReplayCache {
 public:
  // `capacity` >= 1: the most signatures held at once.
  explicit ReplayCache(size_t capacity);

  // Records `mac` until `expires_at`, first dropping every entry whose
  // expiry is at or before `now`. Unauthenticated "webhook signature:
  // replayed" when `mac` is already held (the entry is left as it was);
  // Unavailable "webhook replay cache: full" when `capacity` unexpired
  // entries are held (nothing is recorded: refusing keeps the no-replay
  // promise, where evicting would break it).
  absl::Status Admit(const Digest& mac, absl::Time expires_at, absl::Time now);

  size_t size() const { return by_mac_.size(); }

 private:
  void Prune(absl::Time now);

  size_t capacity_;
  std::set<Digest> by_mac_;
  std::multimap<absl::Time, Digest> by_expiry_;
};

}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_REPLAY_CACHE_H_

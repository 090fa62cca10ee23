// RequestCache: a map with a FIFO of its keys for eviction.
#include "lib/agent/request_cache.h"

namespace secretsync {
namespace agent {

std::optional<secretsync::v1::SyncReport> RequestCache::Find(const std::string& key) const {
  auto it = reports_.find(key);
  if (it == reports_.end()) return std::nullopt;
  return it->second;
}

void RequestCache::Put(const std::string& key, const secretsync::v1::SyncReport& report) {
  if (!reports_.emplace(key, report).second) return;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    reports_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace agent
}  // namespace secretsync

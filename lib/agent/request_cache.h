// Idempotency: the reports of recent request ids, bounded.
#ifndef SECRETSYNC_LIB_AGENT_REQUEST_CACHE_H_
#define SECRETSYNC_LIB_AGENT_REQUEST_CACHE_H_

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "proto/report.pb.h"

namespace secretsync {
namespace agent {

// Maps a key (caller, deployment, dry run, request id) to the report its first
// call got. Keeps the last `capacity` keys (first in, first out). Not
// thread-safe: SyncCoordinator calls it under its lock.
class RequestCache {
 public:
  explicit RequestCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  std::optional<secretsync::v1::SyncReport> Find(const std::string& key) const;
  // Records `report` for `key` (a key already present keeps its first report).
  void Put(const std::string& key, const secretsync::v1::SyncReport& report);
  size_t size() const { return reports_.size(); }

 private:
  size_t capacity_;
  std::deque<std::string> order_;
  std::map<std::string, secretsync::v1::SyncReport> reports_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_REQUEST_CACHE_H_

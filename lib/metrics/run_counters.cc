// RunCounters: a mutex around a few maps.
#include "lib/metrics/run_counters.h"

#include "absl/strings/str_cat.h"

namespace secretsync {
namespace metrics {

void RunCounters::RecordRequest(absl::string_view method, absl::string_view status_class,
                                absl::Duration latency) {
  absl::MutexLock lock(&mu_);
  RequestCount& c = requests_[{std::string(method), std::string(status_class)}];
  ++c.requests;
  c.seconds += absl::ToDoubleSeconds(latency);
}

void RunCounters::RecordTokenCacheHit() {
  absl::MutexLock lock(&mu_);
  ++hits_;
}

void RunCounters::RecordTokenCacheMiss() {
  absl::MutexLock lock(&mu_);
  ++misses_;
}

std::map<std::pair<std::string, std::string>, RequestCount> RunCounters::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

long long RunCounters::token_cache_hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}

long long RunCounters::token_cache_misses() const {
  absl::MutexLock lock(&mu_);
  return misses_;
}

std::string StatusClass(int http_status) {
  if (http_status < 100 || http_status > 599) return "error";
  return absl::StrCat(http_status / 100, "xx");
}

}  // namespace metrics
}  // namespace secretsync

// RunCounters: what one run of a one-shot tool counts while it talks to
// Infisical (requests by method and status class, their latency, token cache
// hits and misses), for the metrics file (metrics_file.h).
#ifndef SECRETSYNC_LIB_METRICS_RUN_COUNTERS_H_
#define SECRETSYNC_LIB_METRICS_RUN_COUNTERS_H_

#include <map>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace secretsync {
namespace metrics {

// Counts of one (method, status class) pair.
struct RequestCount {
  long long requests = 0;
  double seconds = 0;  // summed latency
};

// Thread-safe; owned by main() (or a test) and outlives every store that
// feeds it. Holds names and numbers only.
class RunCounters {
 public:
  // `status_class` is "2xx".."5xx", or "error" when no reply came (curl error).
  void RecordRequest(absl::string_view method, absl::string_view status_class,
                     absl::Duration latency);
  void RecordTokenCacheHit();
  void RecordTokenCacheMiss();

  // (method, status class) -> counts.
  std::map<std::pair<std::string, std::string>, RequestCount> requests() const;
  long long token_cache_hits() const;
  long long token_cache_misses() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, RequestCount> requests_ ABSL_GUARDED_BY(mu_);
  long long hits_ ABSL_GUARDED_BY(mu_) = 0;
  long long misses_ ABSL_GUARDED_BY(mu_) = 0;
};

// "2xx" for 200..299 and so on; "error" for 0 (no reply).
std::string StatusClass(int http_status);

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_RUN_COUNTERS_H_

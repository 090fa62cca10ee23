// CountingLogSink: match the event name (the second word of a log line).
#include "lib/metrics/counting_log_sink.h"

#include "absl/strings/match.h"

namespace secretsync {
namespace metrics {

void CountingLogSink::Write(absl::string_view line) {
  // A line reads "I auth.token_cache_hit path=..." (lib/base/log.h).
  if (absl::StartsWith(line, "I auth.token_cache_hit ") || line == "I auth.token_cache_hit") {
    counters_.RecordTokenCacheHit();
  } else if (absl::StartsWith(line, "I auth.login ") || line == "I auth.login") {
    counters_.RecordTokenCacheMiss();
  }
  inner_.Write(line);
}

}  // namespace metrics
}  // namespace secretsync

// CountingLogSink: passes every log line on and counts the auth events that
// tell a token cache hit ("auth.token_cache_hit") from a login
// ("auth.login", a miss), so lib/auth needs no metrics hook.
#ifndef SECRETSYNC_LIB_METRICS_COUNTING_LOG_SINK_H_
#define SECRETSYNC_LIB_METRICS_COUNTING_LOG_SINK_H_

#include "lib/base/log.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {
namespace metrics {

// Holds references only; `inner` and `counters` outlive it. Thread-safe when
// `inner` is.
class CountingLogSink : public LogSink {
 public:
  CountingLogSink(LogSink& inner, RunCounters& counters) : inner_(inner), counters_(counters) {}
  void Write(absl::string_view line) override;

 private:
  LogSink& inner_;
  RunCounters& counters_;
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_COUNTING_LOG_SINK_H_

// InstrumentedHttpTransport: an HttpTransport decorator that counts every
// exchange (method, status class) and its latency into RunCounters.
#ifndef SECRETSYNC_LIB_METRICS_INSTRUMENTED_HTTP_TRANSPORT_H_
#define SECRETSYNC_LIB_METRICS_INSTRUMENTED_HTTP_TRANSPORT_H_

#include "lib/base/clock.h"
#include "lib/base/http_transport.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {
namespace metrics {

// Forwards to `inner` and records the method, the reply's status class
// ("error" when Send failed) and the time Send took. Reads no URL, header or
// body. Holds references only: `inner`, `clock` and `counters` outlive it.
// As thread-safe as `inner` (RunCounters is thread-safe).
class InstrumentedHttpTransport : public HttpTransport {
 public:
  InstrumentedHttpTransport(HttpTransport& inner, Clock& clock, RunCounters& counters)
      : inner_(inner), clock_(clock), counters_(counters) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  HttpTransport& inner_;
  Clock& clock_;
  RunCounters& counters_;
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_INSTRUMENTED_HTTP_TRANSPORT_H_

// InstrumentedHttpTransport: time and classify each exchange.
#include "lib/metrics/instrumented_http_transport.h"

#include <utility>

namespace secretsync {
namespace metrics {

absl::StatusOr<HttpResponse> InstrumentedHttpTransport::Send(const HttpRequest& request) {
  const absl::Time start = clock_.TimeNow();
  absl::StatusOr<HttpResponse> reply = inner_.Send(request);
  counters_.RecordRequest(request.method, reply.ok() ? StatusClass(reply->status) : "error",
                          clock_.TimeNow() - start);
  return reply;
}

}  // namespace metrics
}  // namespace secretsync

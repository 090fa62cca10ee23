// RetryingHttpTransport implementation (see retrying_http_transport.h).
#include "lib/http/retrying_http_transport.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "lib/http/http_status.h"

namespace secretsync {
namespace http {

RetryingHttpTransport::RetryingHttpTransport(HttpTransport& inner, Clock& clock,
                                             RandomSource& random, LogSink& log,
                                             RetryPolicy policy)
    : inner_(inner), clock_(clock), random_(random), log_(log), policy_(policy) {}

absl::Duration RetryingHttpTransport::Backoff(int retry) {
  absl::Duration base = policy_.initial_backoff;
  for (int i = 0; i < retry && base < policy_.max_backoff; ++i) base *= 2;
  base = std::min(base, policy_.max_backoff);
  uint32_t r = 0;
  double unit = 0.5;  // no jitter if the OS has no randomness; still bounded
  if (random_.Fill(reinterpret_cast<uint8_t*>(&r), sizeof(r)).ok()) {
    unit = static_cast<double>(r) / 4294967296.0;
  }
  return base * (0.8 + 0.4 * unit);
}

absl::StatusOr<HttpResponse> RetryingHttpTransport::Send(const HttpRequest& request) {
  absl::Duration waited = absl::ZeroDuration();
  for (int retry = 0;; ++retry) {
    absl::StatusOr<HttpResponse> reply = inner_.Send(request);
    std::string code;
    std::optional<absl::Duration> wait;
    if (reply.ok()) {
      // The same verdict the caller will get from StatusFromHttp.
      if (!IsTemporary(StatusFromHttp(*reply, ""))) return reply;
      code = std::to_string(reply->status);
      wait = RetryAfter(*reply);
      if (wait.has_value() && *wait > policy_.max_retry_after) return reply;
    } else {
      if (!IsTemporary(reply.status())) return reply;
      code = absl::StatusCodeToString(reply.status().code());
    }
    if (retry >= policy_.max_retries) return reply;
    if (!wait.has_value()) wait = Backoff(retry);
    if (waited + *wait > policy_.max_total_wait) return reply;
    log_.Warn("http.retry")
        .Field("request", HttpRequestLabel(request))
        .Field("attempt", retry + 1)
        .Field("status", code)
        .Field("wait_ms", absl::ToInt64Milliseconds(*wait));
    clock_.Sleep(*wait);
    waited += *wait;
  }
}

}  // namespace http
}  // namespace secretsync

// RetryingHttpTransport: an HttpTransport decorator that retries transient
// failures with exponential backoff, jitter and Retry-After.
#ifndef SECRETSYNC_LIB_HTTP_RETRYING_HTTP_TRANSPORT_H_
#define SECRETSYNC_LIB_HTTP_RETRYING_HTTP_TRANSPORT_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/http_transport.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"

namespace secretsync {
namespace http {

struct RetryPolicy {
  int max_retries = 4;  // attempts = max_retries + 1
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(8);
  absl::Duration max_retry_after = absl::Seconds(60);  // a longer Retry-After stops retrying
  absl::Duration max_total_wait = absl::Seconds(90);   // sum of all waits
};

// Retries a request when the failure is temporary by the one classification,
// IsTemporary(StatusFromHttp(reply)) (http_status.h): 429, a 5xx carrying
// Retry-After or x-ratelimit-remaining: 0 (rate limiting), every other 5xx
// (a plain 500 included) except the permanent "Failed to find ..." ones; or
// when the transport fails with Unavailable or DeadlineExceeded. Never retries
// anything else (3xx/401/403/404/... are returned at once). The wait before retry n (0-based) is
// min(max_backoff, initial_backoff * 2^n) scaled by a random factor in
// [0.8, 1.2); a `Retry-After: <seconds>` header replaces it. It stops and
// returns the last reply or error when attempts run out, or when the next wait
// would pass max_total_wait or max_retry_after. Each retry logs
// "http.retry request=<METHOD /path> attempt=N status=<code> wait_ms=M" (never
// queries, headers or bodies).
//
// Writes are retried too: a POST whose reply was lost can then answer
// AlreadyExists, which callers must tolerate.
//
// Does not own `inner`, `clock`, `random` or `log`; they must outlive it.
// Thread-safe if `inner` is.
class RetryingHttpTransport : public HttpTransport {
 public:
  RetryingHttpTransport(HttpTransport& inner, Clock& clock, RandomSource& random,
                        LogSink& log, RetryPolicy policy = {});

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  absl::Duration Backoff(int retry);

  HttpTransport& inner_;
  Clock& clock_;
  RandomSource& random_;
  Logger log_;
  RetryPolicy policy_;
};

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_RETRYING_HTTP_TRANSPORT_H_

// StatusFromHttp: the one place that maps Infisical HTTP replies to absl::Status.
#ifndef SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_
#define SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/http_transport.h"

namespace secretsync {
namespace http {

// What an Infisical error body says, sanitized: `message` is printable ASCII,
// at most kMaxErrorMessageBytes; for a 422 zod issue array it lists the issue
// paths ("validation failed at environment, secretPath"). Empty fields when
// the body is not a JSON error object.
struct HttpErrorInfo {
  std::string message;
  std::string error;   // e.g. "TokenError", "NotFound"
  std::string req_id;  // e.g. "req-abc..."
};
inline constexpr size_t kMaxErrorMessageBytes = 200;

// Reads the error body of a non-2xx reply. Never called on 2xx bodies, which
// carry secret values.
HttpErrorInfo ParseHttpError(const HttpResponse& response);

// Retry-After in delta-seconds, or nullopt (absent, negative, or the HTTP-date
// form, which Infisical does not send).
std::optional<absl::Duration> RetryAfter(const HttpResponse& response);

// Whether the reply is Infisical rate limiting: 429, or a 5xx that carries
// Retry-After or `x-ratelimit-remaining: 0` (a self-hosted Infisical of
// October 2024 answers its rate limit with HTTP 500 and those headers).
bool IsRateLimited(const HttpResponse& response);

// OK for 2xx. Otherwise, in this order:
//   3xx: FailedPrecondition tagged exit 78 (WithExitCode): the site URL
//     redirects; names the Location's host and path (never its query or
//     userinfo) and says to set infisical.site_url to the final URL.
//   rate limited (IsRateLimited): ResourceExhausted "rate limited by
//     Infisical; retry after N s" (N from Retry-After, else x-ratelimit-reset).
//   5xx whose server message says "Failed to find ..." (a wrong project slug
//     gets 500 "Failed to find project by slug"): NotFound, the server's
//     message kept; it never succeeds on retry.
//   otherwise the code of StatusCodeFromHttp (lib/base/http_status_code.h):
//   400/422 InvalidArgument, 401 Unauthenticated, 403 PermissionDenied,
//   404 NotFound, 409 AlreadyExists, 413 ResourceExhausted, other 5xx
//   Unavailable (a plain 500 "Something went wrong" is taken as temporary:
//   retried, then exit 75), anything else Unknown.
// The message reads "<what>: HTTP <code>: <server message> (reqId <id>)"; it
// never contains request data, headers other than the redirect target's host
// and path, or any part of a 2xx body.
absl::Status StatusFromHttp(const HttpResponse& response, absl::string_view what);

// Whether a failure is temporary, i.e. worth retrying: Unavailable,
// ResourceExhausted or DeadlineExceeded. The one classification of what is
// temporary: RetryingHttpTransport applies it to StatusFromHttp of each reply
// and to transport errors, and these are the codes that exit 75.
bool IsTemporary(const absl::Status& status);

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_

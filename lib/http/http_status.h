// StatusFromHttp: the one place that maps Infisical HTTP replies to absl::Status.
#ifndef SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_
#define SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
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

// OK for 2xx. Otherwise: 400/422 InvalidArgument, 401 Unauthenticated,
// 403 PermissionDenied, 404 NotFound, 409 AlreadyExists, 429 ResourceExhausted,
// 5xx Unavailable, anything else Unknown. The message reads
// "<what>: HTTP <code>: <server message> (reqId <id>)"; it never contains
// request data, headers or any part of a 2xx body.
absl::Status StatusFromHttp(const HttpResponse& response, absl::string_view what);

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_HTTP_STATUS_H_

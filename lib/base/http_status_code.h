// The one HTTP status -> absl::StatusCode table, shared by the Infisical
// client (lib/http/http_status) and the dev server (lib/devserver/api_error).
#ifndef SECRETSYNC_LIB_BASE_HTTP_STATUS_CODE_H_
#define SECRETSYNC_LIB_BASE_HTTP_STATUS_CODE_H_

#include "absl/status/status.h"

namespace secretsync {

// 2xx Ok; 400 and 422 InvalidArgument; 401 Unauthenticated; 403
// PermissionDenied; 404 NotFound; 409 AlreadyExists; 413 and 429
// ResourceExhausted; 5xx Unavailable; anything else Unknown. Callers add
// their own rules on top (the client's rate-limit and "Failed to find" 5xx
// replies), never a second table.
absl::StatusCode StatusCodeFromHttp(int http_status);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_HTTP_STATUS_CODE_H_

// StatusCodeFromHttp: the HTTP status table.
#include "lib/base/http_status_code.h"

namespace secretsync {

absl::StatusCode StatusCodeFromHttp(int http_status) {
  if (http_status >= 200 && http_status <= 299) return absl::StatusCode::kOk;
  switch (http_status) {
    case 400:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 413:
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      break;
  }
  if (http_status >= 500 && http_status <= 599) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

}  // namespace secretsync

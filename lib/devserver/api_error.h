// Infisical's error replies as plain absl::Status values. The HTTP status,
// the error name and the message travel once, in a status payload set by
// ApiError(); ErrorResponse() is the one place that turns a Status into
// Infisical's error body {"reqId","statusCode","message","error"}.
#ifndef SECRETSYNC_LIB_DEVSERVER_API_ERROR_H_
#define SECRETSYNC_LIB_DEVSERVER_API_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// An error reply: HTTP status, Infisical's error name ("NotFound",
// "TokenError", ...) and message (a string, or the zod issue array of a 422).
struct ErrorReply {
  int http_status = 500;
  std::string error;
  Json message;
};

// A non-OK status carrying `reply`. Its code is the client's for that HTTP
// status (StatusCodeFromHttp, lib/base/http_status_code.h: 400 and 422
// InvalidArgument, 401 Unauthenticated, 403 PermissionDenied, 404 NotFound,
// 409 AlreadyExists, 413 and 429 ResourceExhausted, 5xx Unavailable) and its
// message is reply.message when that is a string.
absl::Status ApiError(ErrorReply reply);

absl::Status BadRequest(absl::string_view message);        // 400 BadRequest
absl::Status Unauthorized(absl::string_view message);      // 401 UnauthorizedError
absl::Status TokenError(absl::string_view message);        // 403 TokenError
absl::Status PermissionDenied(absl::string_view message);  // 403 PermissionDenied
absl::Status NotFound(absl::string_view message,
                      absl::string_view error = "NotFound");  // 404
// 500 "Something went wrong" / InternalServerError: Infisical's answer to
// anything unexpected.
absl::Status SomethingWentWrong();

// The reply for a non-OK `status`: the one ApiError() attached, or, for a
// status from elsewhere (DevStore carries Infisical's messages), 404 NotFound
// or 400 BadRequest (AlreadyExists, InvalidArgument) with the status message,
// and 500 SomethingWentWrong for any other code (its message is not shown).
ErrorReply ErrorReplyOf(const absl::Status& status);

// Infisical's error body for `status`, with its HTTP status.
ApiResponse ErrorResponse(const absl::Status& status, absl::string_view request_id);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_API_ERROR_H_

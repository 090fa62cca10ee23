// Infisical error replies carried in absl::Status payloads.
#include "lib/devserver/api_error.h"

#include <utility>

#include "absl/strings/cord.h"
#include "lib/base/http_status_code.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

// The payload holds {"statusCode","error","message"} as JSON text.
constexpr absl::string_view kPayloadUrl = "type.secretsync.dev/devserver.ErrorReply";

absl::Status Simple(int http_status, absl::string_view error, absl::string_view message) {
  return ApiError(ErrorReply{http_status, std::string(error), Json(std::string(message))});
}

}  // namespace

absl::Status ApiError(ErrorReply reply) {
  std::string text =
      reply.message.is_string() ? reply.message.get<std::string>() : std::string(reply.error);
  absl::Status status(StatusCodeFromHttp(reply.http_status), text);
  Json payload;
  payload["statusCode"] = reply.http_status;
  payload["error"] = std::move(reply.error);
  payload["message"] = std::move(reply.message);
  status.SetPayload(kPayloadUrl, absl::Cord(Dump(payload)));
  return status;
}

absl::Status BadRequest(absl::string_view m) { return Simple(400, "BadRequest", m); }
absl::Status Unauthorized(absl::string_view m) { return Simple(401, "UnauthorizedError", m); }
absl::Status TokenError(absl::string_view m) { return Simple(403, "TokenError", m); }
absl::Status PermissionDenied(absl::string_view m) { return Simple(403, "PermissionDenied", m); }
absl::Status NotFound(absl::string_view m, absl::string_view error) {
  return Simple(404, error, m);
}
absl::Status SomethingWentWrong() {
  return Simple(500, "InternalServerError", "Something went wrong");
}

ErrorReply ErrorReplyOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(kPayloadUrl)) {
    Json j = Json::parse(std::string(*payload), nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      return ErrorReply{j.value("statusCode", 500), j.value("error", ""), j["message"]};
    }
  }
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return ErrorReply{404, "NotFound", Json(std::string(status.message()))};
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kInvalidArgument:
      return ErrorReply{400, "BadRequest", Json(std::string(status.message()))};
    default:
      return ErrorReply{500, "InternalServerError", Json("Something went wrong")};
  }
}

ApiResponse ErrorResponse(const absl::Status& status, absl::string_view request_id) {
  ErrorReply reply = ErrorReplyOf(status);
  Json body;
  body["reqId"] = std::string(request_id);
  body["statusCode"] = reply.http_status;
  body["message"] = std::move(reply.message);
  body["error"] = std::move(reply.error);
  ApiResponse response;
  response.status = reply.http_status;
  response.body = Dump(body);
  return response;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

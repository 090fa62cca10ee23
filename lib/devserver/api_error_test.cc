// ApiError carries Infisical's reply in a Status; ErrorResponse renders it.
#include "lib/devserver/api_error.h"

#include "gtest/gtest.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

TEST(ApiErrorTest, CarriesStatusNameAndMessageWithAMatchingCode) {
  absl::Status s = NotFound("Secret with name 'A' not found");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "Secret with name 'A' not found");
  ErrorReply reply = ErrorReplyOf(s);
  EXPECT_EQ(reply.http_status, 404);
  EXPECT_EQ(reply.error, "NotFound");
  EXPECT_EQ(reply.message, "Secret with name 'A' not found");
  EXPECT_EQ(TokenError("x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Unauthorized("x").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ApiError({413, "Payload Too Large", "big"}).code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(ApiErrorTest, KeepsAnArrayMessage) {
  Json issues = Json::array({Json{{"code", "custom"}}});
  ErrorReply reply = ErrorReplyOf(ApiError({422, "ValidationFailure", issues}));
  EXPECT_EQ(reply.http_status, 422);
  EXPECT_EQ(reply.message, issues);
}

TEST(ApiErrorTest, MapsStatusesWithoutAReplyByCode) {
  EXPECT_EQ(ErrorReplyOf(absl::NotFoundError("Secret not found")).http_status, 404);
  ErrorReply exists = ErrorReplyOf(absl::AlreadyExistsError("Secret already exist"));
  EXPECT_EQ(exists.http_status, 400);
  EXPECT_EQ(exists.error, "BadRequest");
  EXPECT_EQ(exists.message, "Secret already exist");
  // An unexpected error's own text never reaches the client.
  ErrorReply internal = ErrorReplyOf(absl::InternalError("disk /var/x full"));
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_EQ(internal.error, "InternalServerError");
  EXPECT_EQ(internal.message, "Something went wrong");
}

TEST(ApiErrorTest, ErrorResponseIsInfisicalsBody) {
  ApiResponse r = ErrorResponse(BadRequest("Body is not valid JSON"), "req-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"reqId":"req-1","statusCode":400,"message":"Body is not valid JSON",)"
                    R"("error":"BadRequest"})");
}

}  // namespace
}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

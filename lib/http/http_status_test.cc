// Tests for StatusFromHttp: the one HTTP -> absl::Status mapping.
#include "lib/http/http_status.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace http {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

HttpResponse Reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct Case {
  int status;
  absl::StatusCode code;
};

TEST(StatusFromHttpTest, MapsEveryDocumentedStatus) {
  const Case cases[] = {
      {400, absl::StatusCode::kInvalidArgument}, {401, absl::StatusCode::kUnauthenticated},
      {403, absl::StatusCode::kPermissionDenied}, {404, absl::StatusCode::kNotFound},
      {409, absl::StatusCode::kAlreadyExists},    {422, absl::StatusCode::kInvalidArgument},
      {429, absl::StatusCode::kResourceExhausted}, {500, absl::StatusCode::kUnavailable},
      {502, absl::StatusCode::kUnavailable},      {503, absl::StatusCode::kUnavailable},
      {504, absl::StatusCode::kUnavailable},      {418, absl::StatusCode::kUnknown},
      {304, absl::StatusCode::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(StatusFromHttp(Reply(c.status, "{}"), "GET /api/v3/secrets/raw"),
                StatusIs(c.code, AllOf(HasSubstr("GET /api/v3/secrets/raw"),
                                       HasSubstr(absl::StrCat("HTTP ", c.status)))))
        << c.status;
  }
}

TEST(StatusFromHttpTest, TwoHundredsAreOk) {
  EXPECT_THAT(StatusFromHttp(Reply(200, "{\"secretValue\":\"x\"}"), "GET /x"), IsOk());
  EXPECT_THAT(StatusFromHttp(Reply(204, ""), "GET /x"), IsOk());
}

TEST(StatusFromHttpTest, IncludesServerMessageAndReqId) {
  auto s = StatusFromHttp(
      Reply(404, R"({"reqId":"req-abc123","statusCode":404,"message":"Secret not found","error":"NotFound"})"),
      "GET /api/v3/secrets/raw/DB");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound,
                          "GET /api/v3/secrets/raw/DB: HTTP 404: Secret not found (reqId req-abc123)"));
}

TEST(StatusFromHttpTest, SummarizesZodIssuePathsOn422) {
  auto s = StatusFromHttp(
      Reply(422, R"({"statusCode":422,"error":"ValidationFailure","message":[
        {"code":"invalid_type","path":["environment"],"message":"Required CANARY-zod"},
        {"code":"custom","path":["secrets",0,"secretKey"],"message":"bad"}]})"),
      "POST /x");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("validation failed at environment, secrets.0.secretKey"),
                                Not(HasSubstr("CANARY")))));
}

TEST(StatusFromHttpTest, TruncatesAndSanitizesLongMessages) {
  std::string long_message(1000, 'a');
  auto s = StatusFromHttp(Reply(400, absl::StrCat(R"({"message":"line1\nline2)", long_message, "\"}")),
                          "POST /x");
  EXPECT_LT(s.message().size(), 300u);
  EXPECT_THAT(std::string(s.message()), HasSubstr("line1?line2"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("..."));
}

TEST(StatusFromHttpTest, NonJsonOrNonStringMessageIsLeftOut) {
  const std::string canary = "CANARY-body-7f3a";
  auto html = StatusFromHttp(Reply(502, absl::StrCat("<html>", canary, "</html>")), "GET /x");
  EXPECT_THAT(html, StatusIs(absl::StatusCode::kUnavailable, "GET /x: HTTP 502"));
  auto obj = StatusFromHttp(Reply(500, absl::StrCat(R"({"message":{"v":")", canary, "\"}}")), "GET /x");
  EXPECT_THAT(obj, StatusIs(absl::StatusCode::kUnavailable, Not(HasSubstr(canary))));
}

TEST(ParseHttpErrorTest, ReadsErrorNameAndIgnoresSuccessBodies) {
  EXPECT_EQ(ParseHttpError(Reply(403, R"({"message":"expired","error":"TokenError"})")).error,
            "TokenError");
  EXPECT_EQ(ParseHttpError(Reply(200, R"({"message":"x","error":"TokenError"})")).error, "");
}

}  // namespace
}  // namespace http
}  // namespace secretsync

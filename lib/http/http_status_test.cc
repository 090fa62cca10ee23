// Tests for StatusFromHttp: the one HTTP -> absl::Status mapping.
#include "lib/http/http_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"

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

HttpResponse Reply(int status, std::string body,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// What a self-hosted Infisical (October 2024) answers past its rate limit.
HttpResponse RateLimited500() {
  return Reply(500,
               R"({"statusCode":500,"message":"Something went wrong","error":"InternalServerError"})",
               {{"retry-after", "42"},
                {"x-ratelimit-limit", "40"},
                {"x-ratelimit-remaining", "0"},
                {"x-ratelimit-reset", "42"}});
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
      {302, absl::StatusCode::kFailedPrecondition},
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

TEST(StatusFromHttpTest, FiveHundredWithRateLimitHeadersIsRateLimiting) {
  absl::Status s = StatusFromHttp(RateLimited500(), "GET /api/v3/secrets/raw");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kResourceExhausted,
                          "GET /api/v3/secrets/raw: rate limited by Infisical; retry after 42 s "
                          "(HTTP 500)"));
  EXPECT_EQ(ExitCodeFromStatus(s), kExitTempFail);
}

TEST(StatusFromHttpTest, EitherRateLimitHeaderMarksAFiveHundredAsRateLimiting) {
  EXPECT_THAT(StatusFromHttp(Reply(503, "{}", {{"Retry-After", "7"}}), "GET /x"),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry after 7 s")));
  // Without Retry-After the wait comes from x-ratelimit-reset.
  EXPECT_THAT(StatusFromHttp(Reply(500, "{}", {{"x-ratelimit-remaining", "0"},
                                               {"x-ratelimit-reset", "13"}}),
                             "GET /x"),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("retry after 13 s")));
  EXPECT_THAT(StatusFromHttp(Reply(429, "{}"), "GET /x"),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "GET /x: rate limited by Infisical; retry later (HTTP 429)"));
  // Remaining requests left: a plain server error.
  EXPECT_THAT(StatusFromHttp(Reply(500, "{}", {{"x-ratelimit-remaining", "3"}}), "GET /x"),
              StatusIs(absl::StatusCode::kUnavailable, "GET /x: HTTP 500"));
}

TEST(StatusFromHttpTest, PlainFiveHundredIsTemporary) {
  absl::Status s = StatusFromHttp(
      Reply(500, R"({"statusCode":500,"message":"Something went wrong","error":"InternalServerError"})"),
      "GET /x");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, "GET /x: HTTP 500: Something went wrong"));
  EXPECT_TRUE(IsTemporary(s));
  EXPECT_EQ(ExitCodeFromStatus(s), kExitTempFail);
}

TEST(StatusFromHttpTest, WrongProjectSlugIsNotFoundWithTheServerMessage) {
  absl::Status s = StatusFromHttp(
      Reply(500, R"({"reqId":"req-9","statusCode":500,"message":"Failed to find project by slug","error":"InternalServerError"})"),
      "GET /api/v3/secrets/raw");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound,
                          "GET /api/v3/secrets/raw: HTTP 500: Failed to find project by slug "
                          "(reqId req-9)"));
  EXPECT_FALSE(IsTemporary(s));
  EXPECT_EQ(ExitCodeFromStatus(s), kExitNoInput);
}

TEST(StatusFromHttpTest, RedirectIsAConfigErrorNamingTheTargetButNoToken) {
  const std::string canary = "CANARY-redirect-3e1";
  for (int status : {301, 302, 307, 308}) {
    absl::Status s = StatusFromHttp(
        Reply(status, "<html>CANARY-body</html>",
              {{"location", absl::StrCat("https://user:", canary,
                                         "@infisical.example.com/api/v3/secrets/raw?token=",
                                         canary, "#", canary)}}),
        "GET /api/v3/secrets/raw");
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                            AllOf(HasSubstr("infisical.site_url redirects to "
                                            "infisical.example.com/api/v3/secrets/raw"),
                                  HasSubstr("set infisical.site_url to the final URL"),
                                  Not(HasSubstr("CANARY")))))
        << status;
    EXPECT_EQ(ExitCodeFromStatus(s), kExitConfig) << status;
    EXPECT_FALSE(IsTemporary(s));
  }
  EXPECT_THAT(StatusFromHttp(Reply(301, ""), "GET /x"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("redirects:")));
  EXPECT_THAT(StatusFromHttp(Reply(302, "", {{"location", "/login?next=CANARY"}}), "GET /x"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("redirects to /login"), Not(HasSubstr("CANARY")))));
}

TEST(IsTemporaryTest, OnlyUnavailableResourceExhaustedAndDeadline) {
  EXPECT_TRUE(IsTemporary(absl::UnavailableError("x")));
  EXPECT_TRUE(IsTemporary(absl::ResourceExhaustedError("x")));
  EXPECT_TRUE(IsTemporary(absl::DeadlineExceededError("x")));
  EXPECT_FALSE(IsTemporary(absl::OkStatus()));
  EXPECT_FALSE(IsTemporary(absl::NotFoundError("x")));
  EXPECT_FALSE(IsTemporary(absl::OutOfRangeError("x")));
  EXPECT_FALSE(IsTemporary(absl::FailedPreconditionError("x")));
  EXPECT_FALSE(IsTemporary(absl::UnknownError("x")));
}

TEST(RetryAfterTest, ReadsDeltaSecondsOnly) {
  EXPECT_EQ(RetryAfter(Reply(429, "", {{"retry-after", " 5 "}})), absl::Seconds(5));
  EXPECT_EQ(RetryAfter(Reply(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}})),
            std::nullopt);
  EXPECT_EQ(RetryAfter(Reply(429, "", {{"retry-after", "-1"}})), std::nullopt);
  EXPECT_EQ(RetryAfter(Reply(429, "")), std::nullopt);
}

}  // namespace
}  // namespace http
}  // namespace secretsync

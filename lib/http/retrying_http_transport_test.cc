// Tests for RetryingHttpTransport: which failures retry, waits, bounds, logs.
#include "lib/http/retrying_http_transport.h"

#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/http/http_status.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_http_transport.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace http {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Always returns the same bytes (0x80 00 00 00 -> unit 0.5, factor 1.0).
class FixedRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t* buf, size_t len) override {
    std::memset(buf, 0, len);
    if (len == 4) buf[3] = 0x80;  // little-endian uint32 0x80000000
    return absl::OkStatus();
  }
};

class RetryingHttpTransportTest : public ::testing::Test {
 protected:
  HttpRequest Request() {
    HttpRequest r;
    r.url = "https://infisical.test/api/v3/secrets/raw?workspaceId=p&environment=prod";
    r.headers.emplace_back("Authorization", "Bearer CANARY-token-91");
    return r;
  }
  FakeHttpTransport fake_;
  FakeClock clock_;
  FixedRandom random_;
  CapturingLogSink log_;
};

TEST_F(RetryingHttpTransportTest, RetriesServiceUnavailableWithExponentialBackoff) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(503, "{}"));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(502, "{}"));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, "{\"secrets\":[]}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(fake_.request_count(), 3u);
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Milliseconds(250), absl::Milliseconds(500)));
}

TEST_F(RetryingHttpTransportTest, HonoursRetryAfterSeconds) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(429, "{}", {{"retry-after", "7"}}));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, "{}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  ASSERT_THAT(t.Send(Request()), IsOk());
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Seconds(7)));
}

TEST_F(RetryingHttpTransportTest, GivesUpWhenRetryAfterIsTooLong) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(429, "{}", {{"retry-after", "3600"}}));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->status, 429);
  EXPECT_EQ(fake_.request_count(), 1u);
  EXPECT_THAT(clock_.sleeps(), IsEmpty());
}

TEST_F(RetryingHttpTransportTest, NeverRetriesOtherClientErrors) {
  for (int status : {301, 302, 400, 401, 403, 404, 409, 422}) {
    FakeHttpTransport fake;
    fake.On("GET", "/", JsonReply(status, "{}"));
    RetryingHttpTransport t(fake, clock_, random_, log_);
    auto reply = t.Send(Request());
    ASSERT_THAT(reply, IsOk());
    EXPECT_EQ(reply->status, status);
    EXPECT_EQ(fake.request_count(), 1u) << status;
  }
  EXPECT_THAT(clock_.sleeps(), IsEmpty());
}

TEST_F(RetryingHttpTransportTest, RetriesTransportUnavailableAndDeadline) {
  fake_.On("GET", "/", absl::UnavailableError("GET /x: connection refused"));
  fake_.On("GET", "/", absl::DeadlineExceededError("GET /x: timed out"));
  fake_.On("GET", "/", JsonReply(200, "{}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  EXPECT_THAT(t.Send(Request()), IsOk());
  EXPECT_EQ(fake_.request_count(), 3u);
}

TEST_F(RetryingHttpTransportTest, DoesNotRetryOversizedReply) {
  fake_.On("GET", "/", absl::OutOfRangeError("GET /x: reply exceeds max_response_bytes 10"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  EXPECT_THAT(t.Send(Request()), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("10")));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(RetryingHttpTransportTest, BoundsAttemptsAndReturnsLastReply) {
  fake_.On("GET", "/", JsonReply(504, "{}"));
  RetryPolicy policy;
  policy.max_retries = 3;
  RetryingHttpTransport t(fake_, clock_, random_, log_, policy);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->status, 504);
  EXPECT_EQ(fake_.request_count(), 4u);
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Milliseconds(250), absl::Milliseconds(500),
                                           absl::Milliseconds(1000)));
}

TEST_F(RetryingHttpTransportTest, BoundsTotalWait) {
  fake_.On("GET", "/", JsonReply(503, "{}", {{"retry-after", "50"}}));
  RetryingHttpTransport t(fake_, clock_, random_, log_);  // max_total_wait 90 s
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(fake_.request_count(), 2u);
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Seconds(50)));
}

TEST_F(RetryingHttpTransportTest, JitterStaysWithinTwentyPercent) {
  class MaxRandom : public RandomSource {
   public:
    absl::Status Fill(uint8_t* buf, size_t len) override {
      std::memset(buf, 0xff, len);
      return absl::OkStatus();
    }
  } max_random;
  fake_.On("GET", "/", JsonReply(503, "{}"));
  RetryPolicy policy;
  policy.max_retries = 1;
  RetryingHttpTransport t(fake_, clock_, max_random, log_, policy);
  ASSERT_THAT(t.Send(Request()), IsOk());
  ASSERT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_GT(clock_.sleeps()[0], absl::Milliseconds(250));
  EXPECT_LE(clock_.sleeps()[0], absl::Milliseconds(300));
}

TEST_F(RetryingHttpTransportTest, LogsEachRetryWithoutQueryOrToken) {
  fake_.On("GET", "/", JsonReply(429, "{}", {{"retry-after", "2"}}));
  fake_.On("GET", "/", JsonReply(200, "{}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  ASSERT_THAT(t.Send(Request()), IsOk());
  EXPECT_THAT(log_.lines(), ElementsAre("W http.retry request=\"GET /api/v3/secrets/raw\" attempt=1 "
                                        "status=429 wait_ms=2000"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("CANARY")));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("workspaceId")));
}

// A self-hosted Infisical (October 2024) answers its rate limit with 500.
HttpResponse RateLimited500(absl::string_view retry_after) {
  return JsonReply(500,
                   R"({"statusCode":500,"message":"Something went wrong","error":"InternalServerError"})",
                   {{"retry-after", std::string(retry_after)},
                    {"x-ratelimit-limit", "40"},
                    {"x-ratelimit-remaining", "0"},
                    {"x-ratelimit-reset", std::string(retry_after)}});
}

TEST_F(RetryingHttpTransportTest, RetriesRateLimitingSentAsFiveHundredAfterRetryAfter) {
  fake_.On("GET", "/", RateLimited500("42"));
  fake_.On("GET", "/", JsonReply(200, "{}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->status, 200);
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Seconds(42)));
}

TEST_F(RetryingHttpTransportTest, GivingUpOnRateLimitingSaysWhenToRetry) {
  fake_.On("GET", "/", RateLimited500("42"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);  // max_total_wait 90 s
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(fake_.request_count(), 3u);  // waits 42 + 42; a third wait would pass 90 s
  EXPECT_THAT(StatusFromHttp(*reply, HttpRequestLabel(Request())),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "GET /api/v3/secrets/raw: rate limited by Infisical; retry after 42 s "
                       "(HTTP 500)"));
}

TEST_F(RetryingHttpTransportTest, RetriesAPlainFiveHundred) {
  fake_.On("GET", "/", JsonReply(500, R"({"message":"Something went wrong"})"));
  fake_.On("GET", "/", JsonReply(200, "{}"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(fake_.request_count(), 2u);
}

TEST_F(RetryingHttpTransportTest, NeverRetriesAWrongProjectSlug) {
  fake_.On("GET", "/", JsonReply(500, R"({"statusCode":500,"message":"Failed to find project by slug","error":"InternalServerError"})"));
  RetryingHttpTransport t(fake_, clock_, random_, log_);
  auto reply = t.Send(Request());
  ASSERT_THAT(reply, IsOk());
  EXPECT_EQ(fake_.request_count(), 1u);
  EXPECT_THAT(clock_.sleeps(), IsEmpty());
  EXPECT_THAT(StatusFromHttp(*reply, "GET /api/v3/secrets/raw"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("Failed to find project by slug")));
}

}  // namespace
}  // namespace http
}  // namespace secretsync

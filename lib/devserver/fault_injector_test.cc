// Tests for fault parsing and the fault queue.
#include "lib/devserver/fault_injector.h"

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace devserver {
namespace {

using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseFaultTest, ParsesEveryField) {
  absl::StatusOr<Fault> f =
      ParseFault(R"({"mode":"status","count":3,"status":429,"retryAfter":2,"delayMs":5,)"
                 R"("oversizedBytes":100,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->mode, FaultMode::kStatus);
  EXPECT_EQ(f->count, 3);
  EXPECT_EQ(f->status, 429);
  EXPECT_EQ(*f->retry_after_seconds, 2);
  EXPECT_EQ(f->delay_ms, 5);
  EXPECT_EQ(f->oversized_bytes, 100);
  EXPECT_EQ(f->path_prefix, "/api/v3/secrets");
  EXPECT_FALSE(f->rate_limit_headers);
  EXPECT_EQ(f->message, "Injected fault");
}

TEST(ParseFaultTest, RateLimitHeadersAndMessage) {
  absl::StatusOr<Fault> f =
      ParseFault(R"({"mode":"status","status":500,"retryAfter":1,"rateLimitHeaders":true,)"
                 R"("message":"Something went wrong"})");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->rate_limit_headers);
  EXPECT_EQ(f->message, "Something went wrong");
  EXPECT_THAT(ParseFault(R"({"mode":"status","rateLimitHeaders":"yes"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rateLimitHeaders")));
  EXPECT_THAT(ParseFault(R"({"mode":"status","message":3})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message")));
}

TEST(ParseFaultTest, DefaultsAndModes) {
  const std::pair<const char*, FaultMode> modes[] = {
      {"status", FaultMode::kStatus},
      {"delay", FaultMode::kDelay},
      {"close_mid_body", FaultMode::kCloseMidBody},
      {"malformed_json", FaultMode::kMalformedJson},
      {"truncated_json", FaultMode::kTruncatedJson},
      {"oversized", FaultMode::kOversized},
  };
  for (const auto& [name, mode] : modes) {
    absl::StatusOr<Fault> f = ParseFault(std::string(R"({"mode":")") + name + "\"}");
    ASSERT_TRUE(f.ok()) << name;
    EXPECT_EQ(f->mode, mode);
    EXPECT_EQ(f->count, 1);
    EXPECT_EQ(f->status, 503);
    EXPECT_FALSE(f->retry_after_seconds.has_value());
  }
}

TEST(ParseFaultTest, RejectsBadInput) {
  EXPECT_THAT(ParseFault("nope"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("JSON")));
  EXPECT_THAT(ParseFault("{}"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mode")));
  EXPECT_THAT(ParseFault(R"({"mode":"explode"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("explode")));
  EXPECT_THAT(ParseFault(R"({"mode":"status","count":0})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("count")));
  EXPECT_THAT(ParseFault(R"({"mode":"status","status":"503"})"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
}

TEST(FaultInjectorTest, QueuesInOrderWithCountsAndPrefixes) {
  FaultInjector injector;
  Fault a;
  a.status = 500;
  a.count = 2;
  a.path_prefix = "/api/v3";
  Fault b;
  b.status = 502;
  injector.Add(a);
  injector.Add(b);
  EXPECT_EQ(injector.Take("/api/status")->status, 502);  // a does not match
  EXPECT_EQ(injector.Take("/api/v3/secrets/raw")->status, 500);
  EXPECT_EQ(injector.Take("/api/v3/secrets/raw")->status, 500);
  EXPECT_FALSE(injector.Take("/api/v3/secrets/raw").has_value());
  injector.Add(b);
  injector.Clear();
  EXPECT_FALSE(injector.Take("/api/status").has_value());
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

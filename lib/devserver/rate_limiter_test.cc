// Tests for the one-minute request window.
#include "lib/devserver/rate_limiter.h"

#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace devserver {
namespace {

TEST(RateLimiterTest, LimitsPerKeyAndResetsAfterAMinute) {
  FakeClock clock;
  RateLimiter limiter(clock, 2);
  RateDecision first = limiter.Check("1.2.3.4");
  EXPECT_TRUE(first.allowed);
  EXPECT_EQ(first.limit, 2);
  EXPECT_EQ(first.remaining, 1);
  EXPECT_EQ(first.reset_seconds, 60);
  EXPECT_TRUE(limiter.Check("1.2.3.4").allowed);
  clock.Advance(absl::Seconds(20));
  RateDecision third = limiter.Check("1.2.3.4");
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.remaining, 0);
  EXPECT_EQ(third.reset_seconds, 40);
  EXPECT_TRUE(limiter.Check("5.6.7.8").allowed);
  clock.Advance(absl::Seconds(40));
  EXPECT_TRUE(limiter.Check("1.2.3.4").allowed);
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

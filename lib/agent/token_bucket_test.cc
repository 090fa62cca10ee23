// TokenBucketLimiter: burst, refill from the clock, keys apart, bounded keys.
#include "lib/agent/token_bucket.h"

#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace agent {
namespace {

TEST(TokenBucketLimiterTest, AllowsTheBurstThenRefusesUntilRefilled) {
  FakeClock clock;
  TokenBucketLimiter limiter(clock, /*per_minute=*/6, /*burst=*/3);
  EXPECT_TRUE(limiter.Allow("central"));
  EXPECT_TRUE(limiter.Allow("central"));
  EXPECT_TRUE(limiter.Allow("central"));
  EXPECT_FALSE(limiter.Allow("central"));
  clock.Advance(absl::Seconds(9));  // 0.9 of a token
  EXPECT_FALSE(limiter.Allow("central"));
  clock.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Allow("central"));
  EXPECT_FALSE(limiter.Allow("central"));
}

TEST(TokenBucketLimiterTest, RefillStopsAtTheBurst) {
  FakeClock clock;
  TokenBucketLimiter limiter(clock, 60, 2);
  clock.Advance(absl::Hours(1));
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
}

TEST(TokenBucketLimiterTest, CallersHaveTheirOwnBuckets) {
  FakeClock clock;
  TokenBucketLimiter limiter(clock, 1, 1);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
}

TEST(TokenBucketLimiterTest, KeepsAtMostMaxKeysAndForgetsFullBucketsFirst) {
  FakeClock clock;
  TokenBucketLimiter limiter(clock, /*per_minute=*/1, /*burst=*/1, /*max_keys=*/2);
  EXPECT_TRUE(limiter.Allow("a"));
  clock.Advance(absl::Minutes(1));  // "a" is full again: it carries no state
  EXPECT_TRUE(limiter.Allow("b"));  // "b" is empty
  EXPECT_TRUE(limiter.Allow("c"));  // at the bound: "a" is dropped, not "b"
  EXPECT_FALSE(limiter.Allow("b"));
  EXPECT_FALSE(limiter.Allow("c"));
}

TEST(TokenBucketLimiterTest, WhenNoBucketIsFullTheFullestIsDropped) {
  FakeClock clock;
  TokenBucketLimiter limiter(clock, /*per_minute=*/60, /*burst=*/10, /*max_keys=*/2);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Allow("drained"));
  EXPECT_TRUE(limiter.Allow("fresh"));  // 9 tokens left
  EXPECT_TRUE(limiter.Allow("new"));    // drops "fresh", keeps "drained"
  EXPECT_FALSE(limiter.Allow("drained"));
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

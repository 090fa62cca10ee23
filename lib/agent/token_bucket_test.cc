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
  TokenBucketLimiter limiter(clock, 1, 1, /*max_keys=*/2);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("b"));
  EXPECT_TRUE(limiter.Allow("c"));  // evicts one of the empty buckets
  // "c" is still tracked (and empty): it was the newest.
  EXPECT_FALSE(limiter.Allow("c"));
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

// ReplayCache: refuses a repeat, forgets at expiry, never grows past capacity.
#include "lib/webhook/replay_cache.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace webhook {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;

Digest Mac(unsigned char b) {
  Digest d{};
  d[0] = b;
  return d;
}

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

TEST(ReplayCacheTest, RefusesTheSameMacUntilItExpires) {
  ReplayCache cache(8);
  EXPECT_THAT(cache.Admit(Mac(1), kNow + absl::Minutes(5), kNow), IsOk());
  EXPECT_THAT(cache.Admit(Mac(1), kNow + absl::Minutes(5), kNow + absl::Minutes(4)),
              StatusIs(absl::StatusCode::kUnauthenticated, "webhook signature: replayed"));
  EXPECT_THAT(cache.Admit(Mac(2), kNow + absl::Minutes(5), kNow), IsOk());
  EXPECT_THAT(cache.Admit(Mac(1), kNow + absl::Minutes(11), kNow + absl::Minutes(5)), IsOk());
  EXPECT_EQ(cache.size(), 1u);  // Mac(2) expired too
}

TEST(ReplayCacheTest, AFullCacheRefusesInsteadOfEvicting) {
  ReplayCache cache(3);
  for (unsigned char b = 0; b < 3; ++b) {
    ASSERT_THAT(cache.Admit(Mac(b), kNow + absl::Seconds(10 + b), kNow), IsOk());
  }
  EXPECT_THAT(cache.Admit(Mac(9), kNow + absl::Seconds(10), kNow),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_EQ(cache.size(), 3u);
  // Still a replay, not "full", for a held MAC.
  EXPECT_THAT(cache.Admit(Mac(0), kNow + absl::Seconds(10), kNow),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  // Once the earliest expires there is room again, and the old MAC is gone.
  EXPECT_THAT(cache.Admit(Mac(9), kNow + absl::Seconds(20), kNow + absl::Seconds(10)), IsOk());
  EXPECT_EQ(cache.size(), 3u);
}

TEST(ReplayCacheTest, AFloodStaysAtCapacity) {
  ReplayCache cache(100);
  int admitted = 0;
  for (int i = 0; i < 10000; ++i) {
    Digest d{};
    d[0] = static_cast<unsigned char>(i);
    d[1] = static_cast<unsigned char>(i >> 8);
    if (cache.Admit(d, kNow + absl::Minutes(5), kNow).ok()) ++admitted;
    ASSERT_LE(cache.size(), 100u);
  }
  EXPECT_EQ(admitted, 100);
}

}  // namespace
}  // namespace webhook
}  // namespace secretsync

// The server's limits always end before the client's timeout.
#include "lib/postgres/server_timeouts.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServerTimeoutsTest, ServerLimitsAreShorterThanTheClientTimeout) {
  for (absl::Duration client :
       {absl::Seconds(1), absl::Milliseconds(1001), absl::Seconds(5), absl::Seconds(20),
        absl::Seconds(60), absl::Hours(1)}) {
    SCOPED_TRACE(absl::FormatDuration(client));
    absl::StatusOr<ServerTimeouts> t = ServerTimeoutsFor(client);
    ASSERT_THAT(t, IsOk());
    EXPECT_GT(t->lock_timeout, absl::ZeroDuration());  // 0 would mean "no limit"
    EXPECT_LT(t->lock_timeout, t->statement_timeout);
    EXPECT_LE(t->statement_timeout, client / 2);
  }
  absl::StatusOr<ServerTimeouts> t = ServerTimeoutsFor(absl::Seconds(60));
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->lock_timeout, absl::Seconds(15));
  EXPECT_EQ(t->statement_timeout, absl::Seconds(30));
}

TEST(ServerTimeoutsTest, RefusesTimeoutsTooShortToSplitOrInfinite) {
  EXPECT_THAT(ServerTimeoutsFor(absl::Milliseconds(999)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 1s")));
  EXPECT_THAT(ServerTimeoutsFor(absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(ServerTimeoutsFor(absl::InfiniteDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("finite")));
}

TEST(ServerTimeoutsTest, SqlSetsBothInMilliseconds) {
  EXPECT_EQ(ServerTimeoutsSql({absl::Milliseconds(1250), absl::Milliseconds(2500)}),
            "SET lock_timeout = '1250ms';\nSET statement_timeout = '2500ms';\n");
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

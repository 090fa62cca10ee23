// Tests for the environment variable name rule.
#include "lib/dotenv/env_name.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace dotenv {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EnvNameTest, MatchesTheDotenvKeyRule) {
  for (const char* ok : {"A", "_", "SECRET_KEY", "a1_B2", "_9"}) {
    EXPECT_TRUE(IsEnvName(ok)) << ok;
    EXPECT_THAT(ValidateEnvName(ok), IsOk()) << ok;
  }
  for (const char* bad : {"", "9A", "A-B", "A.B", "A B", "É"}) {
    EXPECT_FALSE(IsEnvName(bad)) << bad;
    EXPECT_THAT(ValidateEnvName(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must match")))
        << bad;
  }
  EXPECT_THAT(ValidateEnvName("A\nB"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("\"A\\nB\"")));
}

}  // namespace
}  // namespace dotenv
}  // namespace secretsync

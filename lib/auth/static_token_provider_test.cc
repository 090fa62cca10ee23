// Tests for fixed-token providers and service-token normalisation.
#include "lib/auth/static_token_provider.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace auth {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServiceTokenProviderTest, StripsLegacyKeyPart) {
  auto p = NewServiceTokenProvider(SecretValue(std::string("st.abc.CANARYsecret.legacykey")));
  ASSERT_THAT(p, IsOk());
  auto token = (*p)->Token();
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->Expose(), "st.abc.CANARYsecret");
  EXPECT_FALSE((*p)->Invalidate());
}

TEST(ServiceTokenProviderTest, KeepsThreePartToken) {
  auto p = NewServiceTokenProvider(SecretValue(std::string("st.abc.def")));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ((*p)->Token()->Expose(), "st.abc.def");
}

TEST(ServiceTokenProviderTest, RejectsNonServiceTokensWithoutEchoingThem) {
  for (const char* bad : {"eyJCANARY.x.y", "st.CANARY", "st..CANARY", "CANARY"}) {
    EXPECT_THAT(NewServiceTokenProvider(SecretValue(std::string(bad))),
                StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("CANARY"))))
        << bad;
  }
}

TEST(StaticTokenProviderTest, ReturnsTheSameTokenAndCannotRefresh) {
  StaticTokenProvider p{SecretValue(std::string("tok"))};
  EXPECT_EQ(p.Token()->Expose(), "tok");
  EXPECT_FALSE(p.Invalidate());
  EXPECT_EQ(p.Token()->Expose(), "tok");
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

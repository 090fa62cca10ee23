// Tests for the HS256 access tokens.
#include "lib/devserver/access_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace secretsync {
namespace devserver {
namespace {

AccessTokenClaims Claims() {
  AccessTokenClaims c;
  c.identity_id = "client";
  c.client_secret_id = "client";
  c.token_id = "tok-1";
  c.issued_at_unix = 1000;
  c.expires_at_unix = 2000;
  c.nonce = "n1";
  return c;
}

TEST(AccessTokenTest, RoundTripsClaimsUntilExpiry) {
  std::string jwt = SignAccessToken(Claims(), "key");
  EXPECT_EQ(jwt.rfind("eyJ", 0), 0u);
  TokenCheck check = VerifyAccessToken(jwt, "key", absl::FromUnixSeconds(1999));
  ASSERT_EQ(check.verdict, TokenVerdict::kValid);
  EXPECT_EQ(check.claims.token_id, "tok-1");
  EXPECT_EQ(check.claims.auth_token_type, "identityAccessToken");
  EXPECT_EQ(*check.claims.expires_at_unix, 2000);
  EXPECT_EQ(VerifyAccessToken(jwt, "key", absl::FromUnixSeconds(2000)).verdict,
            TokenVerdict::kExpired);
}

TEST(AccessTokenTest, TokenWithoutExpNeverExpires) {
  AccessTokenClaims c = Claims();
  c.expires_at_unix.reset();
  std::string jwt = SignAccessToken(c, "key");
  EXPECT_EQ(VerifyAccessToken(jwt, "key", absl::FromUnixSeconds(1LL << 40)).verdict,
            TokenVerdict::kValid);
}

TEST(AccessTokenTest, DifferentNonceGivesDifferentToken) {
  AccessTokenClaims c = Claims();
  std::string a = SignAccessToken(c, "key");
  c.nonce = "n2";
  EXPECT_NE(a, SignAccessToken(c, "key"));
}

TEST(AccessTokenTest, RejectsWrongKeyAndTampering) {
  std::string jwt = SignAccessToken(Claims(), "key");
  EXPECT_EQ(VerifyAccessToken(jwt, "other", absl::FromUnixSeconds(1500)).verdict,
            TokenVerdict::kBadSignature);
  std::vector<std::string> parts = absl::StrSplit(jwt, '.');
  AccessTokenClaims forged = Claims();
  forged.expires_at_unix = 999999;
  std::vector<std::string> forged_parts = absl::StrSplit(SignAccessToken(forged, "x"), '.');
  std::string tampered = parts[0] + "." + forged_parts[1] + "." + parts[2];
  EXPECT_EQ(VerifyAccessToken(tampered, "key", absl::FromUnixSeconds(1500)).verdict,
            TokenVerdict::kBadSignature);
}

TEST(AccessTokenTest, MalformedInputs) {
  for (const char* bad : {"", "abc", "a.b", "a.b.c", "a.b.c.d", "e30.e30.e30"}) {
    EXPECT_EQ(VerifyAccessToken(bad, "key", absl::FromUnixSeconds(0)).verdict,
              TokenVerdict::kMalformed)
        << bad;
  }
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

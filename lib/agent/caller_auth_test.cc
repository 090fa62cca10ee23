// CallerAuthenticator: the auth matrix without a network.
#include "lib/agent/caller_auth.h"

#include <utility>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace agent {
namespace {

using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "CANARY-token-93kd";

AuthPolicy MtlsPolicy(bool with_token) {
  AuthPolicy p;
  p.allowed_sans = {"central.example.org", "spiffe://corp/central"};
  if (with_token) p.token = SecretValue(std::string(kToken));
  return p;
}

CallerInfo Caller(std::vector<std::string> sans, const char* token = nullptr) {
  CallerInfo c;
  c.tls = true;
  c.sans = std::move(sans);
  if (token != nullptr) {
    c.has_token = true;
    c.token = SecretValue(std::string(token));
  }
  return c;
}

TEST(CallerAuthenticatorTest, AllowedSanIsTheIdentity) {
  CallerAuthenticator auth(MtlsPolicy(false));
  EXPECT_THAT(auth.Authenticate(Caller({"127.0.0.1", "spiffe://corp/central"})),
              IsOkAndHolds(std::string("spiffe://corp/central")));
}

TEST(CallerAuthenticatorTest, NoCertificateIsUnauthenticated) {
  CallerAuthenticator auth(MtlsPolicy(false));
  CallerInfo c;
  EXPECT_THAT(auth.Authenticate(c), StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(CallerAuthenticatorTest, SanNotOnTheListIsPermissionDenied) {
  CallerAuthenticator auth(MtlsPolicy(false));
  EXPECT_THAT(auth.Authenticate(Caller({"intruder.example.org"})),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  // A prefix or suffix of an allowed SAN is not that SAN.
  EXPECT_THAT(auth.Authenticate(Caller({"central.example.org.evil"})),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
}

TEST(CallerAuthenticatorTest, TokenMustBePresentAndEqual) {
  CallerAuthenticator auth(MtlsPolicy(true));
  EXPECT_THAT(auth.Authenticate(Caller({"central.example.org"}, kToken)),
              IsOkAndHolds(std::string("central.example.org")));
  for (const char* wrong : {"", "CANARY-token-93k", "CANARY-token-93kdX", "x"}) {
    absl::StatusOr<std::string> r = auth.Authenticate(Caller({"central.example.org"}, wrong));
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr(kToken))));
  }
  EXPECT_THAT(auth.Authenticate(Caller({"central.example.org"})),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(CallerAuthenticatorTest, PlaintextLoopbackNeedsNoCertificateButStillTheToken) {
  AuthPolicy p;
  p.plaintext_loopback = true;
  p.token = SecretValue(std::string(kToken));
  CallerAuthenticator auth(std::move(p));
  CallerInfo c;
  EXPECT_THAT(auth.Authenticate(c), StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  c.has_token = true;
  c.token = SecretValue(std::string(kToken));
  EXPECT_THAT(auth.Authenticate(c), IsOkAndHolds(std::string("loopback")));
}

TEST(CallerAuthenticatorTest, SetPolicyReplacesTheRules) {
  CallerAuthenticator auth(MtlsPolicy(false));
  AuthPolicy p = MtlsPolicy(false);
  p.allowed_sans = {"other"};
  auth.SetPolicy(std::move(p));
  EXPECT_THAT(auth.Authenticate(Caller({"central.example.org"})),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_TRUE(auth.Authenticate(Caller({"other"})).ok());
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLengths) {
  EXPECT_TRUE(ConstantTimeEquals(SecretValue(std::string("abc")), SecretValue(std::string("abc"))));
  EXPECT_FALSE(ConstantTimeEquals(SecretValue(std::string("abc")), SecretValue(std::string("abd"))));
  EXPECT_FALSE(ConstantTimeEquals(SecretValue(std::string("abc")), SecretValue(std::string("abcd"))));
  EXPECT_FALSE(ConstantTimeEquals(SecretValue(std::string("")), SecretValue(std::string("a"))));
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

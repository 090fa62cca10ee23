// Signature: the real Infisical test vector, header parsing, constant-time match.
#include "lib/webhook/signature.h"

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace webhook {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Observed on a real Infisical server (docs/infisical-api.md, section 10).
constexpr absl::string_view kRealBody =
    R"({"event":"secrets.modified","project":{"workspaceId":"fc74c058-28b7-49f5-bc2d-a3993d078084","environment":"prod","secretPath":"/"},"timestamp":1796396457716})";
constexpr absl::string_view kRealHeader =
    "t=1796396457716;7f783ffd1a59c35ebc3c1f1f7bb34c024bb14712dd03410d05ff7c89a2d4683b";

TEST(SignatureTest, RealInfisicalVectorSignsAndVerifies) {
  SecretValue key(std::string("test-webhook-key"));
  ASSERT_EQ(kRealBody.size(), 157u);
  absl::StatusOr<std::string> header = SignDelivery(key, kRealBody);
  ASSERT_THAT(header, IsOk());
  EXPECT_EQ(*header, kRealHeader);
  absl::StatusOr<SignatureHeader> parsed = ParseSignatureHeader(kRealHeader);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->timestamp_ms, 1796396457716);
  EXPECT_TRUE(SignatureMatches(key, kRealBody, *parsed));
}

TEST(SignatureTest, AnyChangedByteOrKeyFailsTheMatch) {
  absl::StatusOr<SignatureHeader> parsed = ParseSignatureHeader(kRealHeader);
  ASSERT_THAT(parsed, IsOk());
  std::string body(kRealBody);
  body[body.size() - 2] ^= 1;
  EXPECT_FALSE(SignatureMatches(SecretValue(std::string("test-webhook-key")), body, *parsed));
  EXPECT_FALSE(SignatureMatches(SecretValue(std::string("test-webhook-kez")), kRealBody, *parsed));
  // Re-serialised JSON (a space) is not the signed bytes.
  std::string spaced(kRealBody);
  spaced.insert(1, " ");
  EXPECT_FALSE(SignatureMatches(SecretValue(std::string("test-webhook-key")), spaced, *parsed));
}

TEST(SignatureTest, AcceptsUppercaseHex) {
  std::string upper(kRealHeader);
  for (size_t i = upper.find(';'); i < upper.size(); ++i) upper[i] = absl::ascii_toupper(upper[i]);
  absl::StatusOr<SignatureHeader> parsed = ParseSignatureHeader(upper);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_TRUE(SignatureMatches(SecretValue(std::string("test-webhook-key")), kRealBody, *parsed));
}

TEST(SignatureTest, RefusesMalformedHeadersWithoutQuotingThem) {
  const std::string hex64(64, 'a');
  const std::string cases[] = {
      "",
      hex64,
      "t=;" + hex64,
      "t=12" + hex64,
      "t=-1;" + hex64,
      "t=1 ;" + hex64,
      "T=1;" + hex64,
      "t=1;" + hex64.substr(1),
      "t=1;" + hex64 + "a",
      "t=1;" + hex64.substr(1) + "g",
      "t=1;sha256=" + hex64,
      "t=1234567890123456789;" + hex64,
  };
  for (const std::string& c : cases) {
    absl::StatusOr<SignatureHeader> parsed = ParseSignatureHeader(c);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr("aaaa")))) << c;
  }
}

}  // namespace
}  // namespace webhook
}  // namespace secretsync

// HMAC-SHA256 with OpenSSL's one-shot HMAC() and a constant-time compare.
#include "lib/webhook/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/status_macros.h"
#include "lib/webhook/delivery.h"

namespace secretsync {
namespace webhook {
namespace {

absl::Status Malformed() {
  return absl::UnauthenticatedError("webhook signature: malformed header");
}

}  // namespace

Digest HmacSha256(const SecretValue& key, absl::string_view body) {
  Digest out{};
  unsigned int len = 0;
  absl::string_view k = key.Expose();
  HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), out.data(), &len);
  return out;
}

absl::StatusOr<SignatureHeader> ParseSignatureHeader(absl::string_view value) {
  if (!absl::ConsumePrefix(&value, "t=")) return Malformed();
  size_t semi = value.find(';');
  if (semi == absl::string_view::npos) return Malformed();
  absl::string_view ts = value.substr(0, semi);
  absl::string_view hex = value.substr(semi + 1);
  if (ts.empty() || ts.size() > 18) return Malformed();
  for (char c : ts) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return Malformed();
  }
  SignatureHeader out;
  if (!absl::SimpleAtoi(ts, &out.timestamp_ms)) return Malformed();
  if (hex.size() != 2 * out.mac.size()) return Malformed();
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return Malformed();
  }
  std::string bytes = absl::HexStringToBytes(hex);
  std::copy(bytes.begin(), bytes.end(), out.mac.begin());
  return out;
}

bool SignatureMatches(const SecretValue& key, absl::string_view body,
                      const SignatureHeader& header) {
  Digest expected = HmacSha256(key, body);
  return CRYPTO_memcmp(expected.data(), header.mac.data(), expected.size()) == 0;
}

std::string SignatureHeaderValue(const SecretValue& key, absl::string_view body,
                                 int64_t timestamp_ms) {
  Digest mac = HmacSha256(key, body);
  return absl::StrCat(
      "t=", timestamp_ms, ";",
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac.data()),
                                                mac.size())));
}

absl::StatusOr<std::string> SignDelivery(const SecretValue& key, absl::string_view body) {
  SS_ASSIGN_OR_RETURN(Delivery delivery, ParseDelivery(body));
  return SignatureHeaderValue(key, body, delivery.timestamp_ms);
}

}  // namespace webhook
}  // namespace secretsync

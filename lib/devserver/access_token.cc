// HS256 JWT signing and verification over OpenSSL's HMAC.
#include "lib/devserver/access_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace {

using Json = nlohmann::ordered_json;

constexpr absl::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

std::string Hmac(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

const std::string* StringField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

}  // namespace

std::string SignAccessToken(const AccessTokenClaims& claims, absl::string_view key) {
  Json payload;
  payload["identityId"] = claims.identity_id;
  payload["clientSecretId"] = claims.client_secret_id;
  payload["identityAccessTokenId"] = claims.token_id;
  payload["authTokenType"] = claims.auth_token_type;
  payload["nonce"] = claims.nonce;
  payload["iat"] = claims.issued_at_unix;
  if (claims.expires_at_unix.has_value()) payload["exp"] = *claims.expires_at_unix;
  std::string signing_input = absl::StrCat(absl::WebSafeBase64Escape(kHeader), ".",
                                           absl::WebSafeBase64Escape(payload.dump()));
  return absl::StrCat(signing_input, ".", absl::WebSafeBase64Escape(Hmac(key, signing_input)));
}

TokenCheck VerifyAccessToken(absl::string_view jwt, absl::string_view key, absl::Time now) {
  TokenCheck check;
  std::vector<absl::string_view> parts = absl::StrSplit(jwt, '.');
  if (parts.size() != 3) return check;
  std::string header, payload_text, signature;
  if (!absl::WebSafeBase64Unescape(parts[0], &header) ||
      !absl::WebSafeBase64Unescape(parts[1], &payload_text) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature)) {
    return check;
  }
  Json header_json = Json::parse(header, nullptr, /*allow_exceptions=*/false);
  Json payload = Json::parse(payload_text, nullptr, /*allow_exceptions=*/false);
  if (!header_json.is_object() || !payload.is_object()) return check;
  const std::string* identity_id = StringField(payload, "identityId");
  const std::string* token_id = StringField(payload, "identityAccessTokenId");
  const std::string* token_type = StringField(payload, "authTokenType");
  auto iat = payload.find("iat");
  if (identity_id == nullptr || token_id == nullptr || token_type == nullptr ||
      iat == payload.end() || !iat->is_number_integer()) {
    return check;
  }
  check.claims.identity_id = *identity_id;
  check.claims.token_id = *token_id;
  check.claims.auth_token_type = *token_type;
  check.claims.issued_at_unix = iat->get<int64_t>();
  if (const std::string* secret_id = StringField(payload, "clientSecretId")) {
    check.claims.client_secret_id = *secret_id;
  }
  if (const std::string* nonce = StringField(payload, "nonce")) check.claims.nonce = *nonce;
  auto exp = payload.find("exp");
  if (exp != payload.end()) {
    if (!exp->is_number_integer()) return check;
    check.claims.expires_at_unix = exp->get<int64_t>();
  }
  std::string expected = Hmac(key, absl::StrCat(parts[0], ".", parts[1]));
  if (expected.size() != signature.size() ||
      CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    check.verdict = TokenVerdict::kBadSignature;
    return check;
  }
  if (check.claims.expires_at_unix.has_value() &&
      absl::ToUnixSeconds(now) >= *check.claims.expires_at_unix) {
    check.verdict = TokenVerdict::kExpired;
    return check;
  }
  check.verdict = TokenVerdict::kValid;
  return check;
}

}  // namespace devserver
}  // namespace secretsync

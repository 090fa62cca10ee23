// Identity access tokens as HS256 JWTs, shaped like Infisical's (payload:
// identityId, clientSecretId, identityAccessTokenId, authTokenType, iat, exp).
#ifndef SECRETSYNC_LIB_DEVSERVER_ACCESS_TOKEN_H_
#define SECRETSYNC_LIB_DEVSERVER_ACCESS_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace secretsync {
namespace devserver {

struct AccessTokenClaims {
  std::string identity_id;
  std::string client_secret_id;
  std::string token_id;  // names the DevAccessToken record
  std::string auth_token_type = "identityAccessToken";
  int64_t issued_at_unix = 0;
  std::optional<int64_t> expires_at_unix;  // none: never expires by time
  std::string nonce;                       // makes every renewal a new string, even within a second
};

// Signs `claims` with HMAC-SHA256 under `key`.
std::string SignAccessToken(const AccessTokenClaims& claims, absl::string_view key);

enum class TokenVerdict { kValid, kMalformed, kBadSignature, kExpired };

struct TokenCheck {
  TokenVerdict verdict = TokenVerdict::kMalformed;
  AccessTokenClaims claims;  // filled unless kMalformed
};

// Checks shape, signature and `exp` (expired once now >= exp, as jsonwebtoken).
TokenCheck VerifyAccessToken(absl::string_view jwt, absl::string_view key, absl::Time now);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_ACCESS_TOKEN_H_

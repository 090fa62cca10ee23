// TokenProvider: where InfisicalClient gets its bearer token, and how it asks
// for a fresh one after the server rejects it.
#ifndef SECRETSYNC_LIB_AUTH_TOKEN_PROVIDER_H_
#define SECRETSYNC_LIB_AUTH_TOKEN_PROVIDER_H_

#include "absl/status/statusor.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace auth {

// Implementations: UniversalAuthProvider (login/renew), StaticTokenProvider
// (a ready access token or a legacy service token). Thread-compatible.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;

  // The token to send as "Authorization: Bearer <token>", logging in or
  // renewing first when needed. Errors: those of the login/renew request
  // (Unauthenticated, PermissionDenied, NotFound, Unavailable, ...).
  virtual absl::StatusOr<SecretValue> Token() = 0;

  // The server rejected the last token. Forgets it, so the next Token()
  // logs in again. Returns whether that can give a different token (false for
  // a fixed token: the caller should not repeat the request).
  virtual bool Invalidate() = 0;
};

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_TOKEN_PROVIDER_H_

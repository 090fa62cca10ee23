// TokenProviders for fixed tokens: a ready access token, or a legacy service
// token (st.<id>.<secret>[.<key>]).
#ifndef SECRETSYNC_LIB_AUTH_STATIC_TOKEN_PROVIDER_H_
#define SECRETSYNC_LIB_AUTH_STATIC_TOKEN_PROVIDER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "lib/auth/token_provider.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace auth {

// Always returns the same token; Invalidate() returns false (nothing to renew).
// Owns the token. Thread-compatible.
class StaticTokenProvider : public TokenProvider {
 public:
  explicit StaticTokenProvider(SecretValue token) : token_(std::move(token)) {}
  absl::StatusOr<SecretValue> Token() override { return token_.Copy(); }
  bool Invalidate() override { return false; }

 private:
  SecretValue token_;
};

// A provider for a legacy service token. Users copy "st.<id>.<secret>.<key>";
// the 4th part (a legacy E2EE key) is dropped, as Infisical's CLI does, and
// "st.<id>.<secret>" is sent. InvalidArgument when the token does not start
// with "st." or has fewer than 3 non-empty dot-parts (the message never
// contains the token).
absl::StatusOr<std::unique_ptr<StaticTokenProvider>> NewServiceTokenProvider(
    const SecretValue& service_token);

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_STATIC_TOKEN_PROVIDER_H_

// UniversalAuthProvider: Infisical Universal Auth (machine identity) login,
// renewal before expiry, and the optional token cache.
#ifndef SECRETSYNC_LIB_AUTH_UNIVERSAL_AUTH_H_
#define SECRETSYNC_LIB_AUTH_UNIVERSAL_AUTH_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/auth/token_cache.h"
#include "lib/auth/token_provider.h"
#include "lib/base/clock.h"
#include "lib/base/http_transport.h"
#include "lib/base/log.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace auth {

struct UniversalAuthOptions {
  std::string api_url;  // e.g. "https://app.infisical.com/api" (no trailing slash)
  std::string client_id;
  SecretValue client_secret;
  std::unique_ptr<TokenCache> cache;  // optional
};

// Token() logs in with POST /api/v1/auth/universal-auth/login on first use
// (or takes the cached token). Once less than a third of the TTL is left it
// renews with POST /api/v1/auth/token/renew and keeps the NEW token the reply
// carries; when a renewal would pass the max TTL (or fails) it logs in again
// instead. TTL 0 means the token never expires. After each login/renew the
// cache (if any) is rewritten; a cache write failure is logged, not returned.
// Invalidate() drops the token and the cache entry and returns true.
// The token travels only in request bodies here and in the Authorization
// header of API calls; it is never logged.
// Does not own `http`, `clock` or `log`. Thread-compatible.
class UniversalAuthProvider : public TokenProvider {
 public:
  UniversalAuthProvider(HttpTransport& http, Clock& clock, LogSink& log,
                        UniversalAuthOptions options);

  absl::StatusOr<SecretValue> Token() override;
  bool Invalidate() override;

 private:
  absl::StatusOr<CachedToken> Login();
  absl::StatusOr<CachedToken> Renew(const SecretValue& token);
  absl::StatusOr<CachedToken> TokenFromReply(const HttpResponse& reply,
                                             const std::string& what);
  void Remember(CachedToken token);

  HttpTransport& http_;
  Clock& clock_;
  Logger log_;
  UniversalAuthOptions options_;
  std::optional<CachedToken> current_;
  bool cache_checked_ = false;
};

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_UNIVERSAL_AUTH_H_

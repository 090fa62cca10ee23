// InfisicalClient: SecretStore over Infisical's HTTP API (/api/v3/secrets/raw).
#ifndef SECRETSYNC_LIB_INFISICAL_INFISICAL_CLIENT_H_
#define SECRETSYNC_LIB_INFISICAL_INFISICAL_CLIENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/auth/token_provider.h"
#include "lib/base/http_transport.h"
#include "lib/base/log.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {
namespace infisical {

// The most secrets (rows, imports included) one list reply may carry. Checked
// on the raw body, before any of it is parsed: a reply of 1.5 million small
// secrets once took 751 MB and 11.5 s to parse. 100,000 is ten times the
// largest project measured, and its parse stays under ~60 MB.
inline constexpr size_t kMaxSecretsPerReply = 100000;

struct ClientOptions {
  // The API root: the site URL plus "/api", no trailing slash, e.g.
  // "https://app.infisical.com/api" (see ApiUrlFromSiteUrl).
  std::string api_url;
  LogSink* log = nullptr;  // optional, not owned; gets "infisical.relogin" events
  size_t max_secrets_per_reply = kMaxSecretsPerReply;
};

// Implements SecretStore with the v3 raw endpoints: GET /secrets/raw (list),
// GET/POST/PATCH/DELETE /secrets/raw/:name. Every query boolean is sent as
// "true"/"false"; query values and the name in the path are percent-encoded.
// Import merging follows Infisical's CLI (folder beats imports, later imports
// beat earlier ones, personal beats shared). A write answered with 200
// {"approval":...} fails with FailedPrecondition "change needs approval",
// tagged exit 77 (permission refused).
// On 401, or 403 with error "TokenError", it asks `auth` for a new token once
// and repeats the request; other 403s are PermissionDenied. Retries of
// transient failures are the transport's job (RetryingHttpTransport).
// Errors are those of SecretStore plus InvalidArgument for a bad name or
// scope (checked before any request), and OutOfRange (exit 65) for a list
// reply with more than options.max_secrets_per_reply secrets (counted as
// "secretKey" fields in the body before parsing; the transport's response
// size cap bounds the body itself). Messages name the request
// ("GET /api/v3/secrets/raw") and never contain tokens or values.
// Does not own `http` or `auth`. Thread-compatible.
class InfisicalClient : public SecretStore {
 public:
  InfisicalClient(HttpTransport& http, auth::TokenProvider& auth, ClientOptions options);

  absl::StatusOr<std::vector<SecretRecord>> List(const SecretScope& scope) override;
  absl::StatusOr<SecretRecord> Get(const SecretScope& scope, absl::string_view name) override;
  absl::Status Create(const SecretScope& scope, absl::string_view name, const SecretValue& value,
                      absl::string_view comment) override;
  absl::Status Update(const SecretScope& scope, absl::string_view name,
                      const SecretValue& value) override;
  absl::Status Delete(const SecretScope& scope, absl::string_view name) override;

 private:
  // Sends with the bearer token, re-logging in once when the token is refused.
  absl::StatusOr<HttpResponse> Call(const HttpRequest& request);
  absl::Status Write(const char* method, const SecretScope& scope, absl::string_view name,
                     const SecretValue* value, absl::string_view comment);

  HttpTransport& http_;
  auth::TokenProvider& auth_;
  ClientOptions options_;
};

}  // namespace infisical
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_INFISICAL_INFISICAL_CLIENT_H_

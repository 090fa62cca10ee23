// The secret reads of the dev server: GET /api/v3/secrets/raw and
// /api/v4/secrets (list), and GET .../:name on both.
#ifndef SECRETSYNC_LIB_DEVSERVER_SECRET_READ_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_SECRET_READ_ENDPOINTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// {"secrets":[...]} (+ "imports" when asked) for the folder the query names
// (`version` 3 reads workspaceId/workspaceSlug, 4 projectId). An unknown
// folder or environment is 200 with empty arrays, as on the real server;
// an unknown workspaceSlug is 500 "Failed to find project by slug"; 422 for
// a query boolean that is not exactly true/false; 401/403 for the caller.
absl::StatusOr<Json> ListSecrets(ApiContext& ctx, const ApiRequest& req, int version,
                                 const std::string& route);

// {"secret":{...}}: the folder's secret, else (with includeImports) the last
// import's. 404 "Secret with name 'N' not found"; 404 GetSecretByName for an
// unknown folder or environment; errors of ListSecrets otherwise.
absl::StatusOr<Json> GetSecret(ApiContext& ctx, const ApiRequest& req, int version,
                               const std::string& route, const std::string& raw_name);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_SECRET_READ_ENDPOINTS_H_

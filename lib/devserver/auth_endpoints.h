// The health and Universal Auth endpoints of the dev server: GET /api/status,
// POST /api/v1/auth/universal-auth/login, .../token/renew, .../token/revoke.
#ifndef SECRETSYNC_LIB_DEVSERVER_AUTH_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_AUTH_ENDPOINTS_H_

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// {"date","message":"Ok",...}; never fails.
absl::StatusOr<Json> StatusEndpoint(ApiContext& ctx);

// {clientId, clientSecret} -> the four token fields. 422 for missing fields,
// 404 for an unknown client id, 401 "Invalid credentials".
absl::StatusOr<Json> Login(ApiContext& ctx, const ApiRequest& req);

// {accessToken} -> a new token string for the same record, its TTL restarted.
// 403 TokenError for a bad token; 401 (and the token deleted) when the
// renewal would pass its max TTL.
absl::StatusOr<Json> Renew(ApiContext& ctx, const ApiRequest& req);

// {accessToken} -> the token deleted. 403 TokenError for a bad token, 401
// when it is already gone.
absl::StatusOr<Json> Revoke(ApiContext& ctx, const ApiRequest& req);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_AUTH_ENDPOINTS_H_

// Single-secret writes of the dev server: POST (create), PATCH (update) and
// DELETE on /api/v3/secrets/raw/:name and /api/v4/secrets/:name, JSON bodies.
#ifndef SECRETSYNC_LIB_DEVSERVER_SECRET_WRITE_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_SECRET_WRITE_ENDPOINTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// {"secret":{...}} in the write shape (PATCH echoes the value sent, "" when
// none). Values are trimmed; an update raises the version by one. 422 for bad
// fields; 400 "Secret already exist" / dangling references; 404 for an
// unknown secret, folder or environment; 500 "Failed to find project by
// slug" for an unknown slug; 401/403 for the caller. Nothing changes on error.
absl::StatusOr<Json> WriteSecret(ApiContext& ctx, const ApiRequest& req, int version,
                                 const std::string& route, const std::string& raw_name);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_SECRET_WRITE_ENDPOINTS_H_

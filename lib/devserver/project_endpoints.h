// The project endpoints of the dev server: GET /api/v1/projects/slug/:slug
// (the project at top level) and GET /api/v1/projects/:id ({"project":...}).
#ifndef SECRETSYNC_LIB_DEVSERVER_PROJECT_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_PROJECT_ENDPOINTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// Identity tokens only (a service token gets 403 naming `route`). 404
// "Project with slug 'S' not found"; 403 when the caller is not a member.
absl::StatusOr<Json> ProjectBySlug(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                   const std::string& slug);

// Identity and service tokens. 404 "Project with ID 'I' not found"; 403 when
// the caller is not a member.
absl::StatusOr<Json> ProjectById(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                 const std::string& id);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_PROJECT_ENDPOINTS_H_

// Project lookups by slug and by id.
#include "lib/devserver/project_endpoints.h"

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_control.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/secret_rows.h"

namespace secretsync {
namespace devserver {
namespace internal {

namespace v1 = ::secretsync::v1;

absl::StatusOr<Json> ProjectBySlug(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                   const std::string& slug) {
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, /*allow_service_token=*/false, route));
  const v1::DevProject* project = ctx.store().ProjectBySlug(slug);
  if (project == nullptr) return NotFound(absl::StrCat("Project with slug '", slug, "' not found"));
  SS_RETURN_IF_ERROR(CheckProjectRead(caller, *project));
  return ProjectJson(*project, ctx.store().state().org_id());
}

absl::StatusOr<Json> ProjectById(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                 const std::string& id) {
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, /*allow_service_token=*/true, route));
  const v1::DevProject* project = ctx.store().ProjectById(id);
  if (project == nullptr) return NotFound(absl::StrCat("Project with ID '", id, "' not found"));
  SS_RETURN_IF_ERROR(CheckProjectRead(caller, *project));
  Json j;
  j["project"] = ProjectJson(*project, ctx.store().state().org_id());
  return j;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

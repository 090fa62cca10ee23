// Scope fields of secret write bodies.
#include "lib/devserver/write_scope.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/dev_store.h"

namespace secretsync {
namespace devserver {
namespace internal {

WriteScope ParseWriteScope(const Json& body, int version, Issues& issues) {
  WriteScope scope;
  if (version == 3) {
    scope.project_id = StringField(body, "workspaceId", false, issues).value_or("");
    scope.slug = StringField(body, "projectSlug", false, issues).value_or("");
    if (scope.slug.empty())
      scope.slug = StringField(body, "workspaceSlug", false, issues).value_or("");
  } else {
    scope.project_id = StringField(body, "projectId", false, issues).value_or("");
  }
  scope.env = StringField(body, "environment", true, issues).value_or("");
  scope.path = NormalizeSecretPath(StringField(body, "secretPath", false, issues).value_or("/"));
  std::optional<std::string> type = StringField(body, "type", false, issues);
  if (type.has_value() && *type != "shared" && *type != "personal") {
    issues.InvalidEnum(Json::array({"type"}), *type, {"shared", "personal"});
  }
  return scope;
}

bool IsPersonal(const Json& body) {
  auto it = body.find("type");
  return it != body.end() && it->is_string() && *it == "personal";
}

absl::Status FolderNotFound(const std::string& path, const std::string& env,
                            absl::string_view error) {
  return NotFound(
      absl::StrCat("Folder with path '", path, "' in environment with slug '", env, "' not found"),
      error);
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

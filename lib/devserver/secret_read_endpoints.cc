// Listing secrets and reading one by name.
#include "lib/devserver/secret_read_endpoints.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_control.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/request_json.h"
#include "lib/devserver/secret_rows.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

namespace v1 = ::secretsync::v1;

struct ReadOptions {
  bool recursive = false;
  bool include_imports = false;
  bool expand = false;
  bool view_value = true;
};

// The list/get query parameters, shared by v3 and v4.
absl::StatusOr<ReadOptions> ParseReadOptions(const ApiRequest& req) {
  Issues issues;
  std::optional<bool> recursive = QueryBool(req, "recursive", issues);
  std::optional<bool> imports_legacy = QueryBool(req, "include_imports", issues);
  std::optional<bool> imports = QueryBool(req, "includeImports", issues);
  std::optional<bool> expand = QueryBool(req, "expandSecretReferences", issues);
  std::optional<bool> view = QueryBool(req, "viewSecretValue", issues);
  if (!issues.empty()) return issues.ToError();
  ReadOptions options;
  options.recursive = recursive.value_or(false);
  options.include_imports = imports.value_or(imports_legacy.value_or(false));
  options.expand = expand.value_or(false);
  options.view_value = view.value_or(true);
  return options;
}

// A service token with exactly one non-glob scope reads that scope, whatever
// the request says.
void ApplySingleScope(const Caller& caller, std::string& project_id, std::string& slug,
                      std::string& env, std::string& path) {
  if (caller.service_token == nullptr || caller.service_token->scopes_size() != 1) return;
  const auto& scope = caller.service_token->scopes(0);
  if (HasGlob(scope.secret_path())) return;
  project_id = caller.service_token->project_id();
  slug.clear();
  env = scope.environment();
  path = NormalizeSecretPath(scope.secret_path());
}

// The project, environment and folder a read names in its query, checked
// for read access. The environment need not exist: the real server then
// finds no folder (200 with no secrets), unlike a write.
absl::StatusOr<Target> ResolveReadTarget(ApiContext& ctx, const ApiRequest& req,
                                         const Caller& caller, int version) {
  std::string project_id = QueryString(req, version == 3 ? "workspaceId" : "projectId");
  std::string slug = version == 3 ? QueryString(req, "workspaceSlug") : "";
  std::string env = QueryString(req, "environment");
  std::string path = NormalizeSecretPath(QueryString(req, "secretPath"));
  ApplySingleScope(caller, project_id, slug, env, path);
  if ((project_id.empty() && slug.empty()) || env.empty()) {
    return BadRequest("Missing project id or environment");
  }
  SS_ASSIGN_OR_RETURN(const v1::DevProject* project, ResolveProject(ctx, caller, project_id, slug));
  SS_RETURN_IF_ERROR(CheckAccess(caller, *project, env, path, Action::kRead));
  return Target{project, env, path};
}

Json ImportsJson(const v1::DevProject& project, const Target& target, const ReadOptions& options) {
  Json imports = Json::array();
  for (const v1::DevImport* import : DevStore::ImportsInto(project, target.env, target.path)) {
    Json entry;
    entry["secretPath"] = import->from_path();
    entry["environment"] = import->from_environment();
    entry["folderId"] =
        DevStore::FolderId(project, import->from_environment(), import->from_path());
    Json rows = Json::array();
    for (const v1::DevSecret* secret :
         DevStore::ListSecrets(project, import->from_environment(), import->from_path(), false)) {
      rows.push_back(SecretRow(project, *secret, RowShape::kImported,
                               ReadValue(project, *secret, options.expand), !options.view_value));
    }
    entry["secrets"] = std::move(rows);
    imports.push_back(std::move(entry));
  }
  return imports;
}

}  // namespace

absl::StatusOr<Json> ListSecrets(ApiContext& ctx, const ApiRequest& req, int version,
                                 const std::string& route) {
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, /*allow_service_token=*/true, route));
  SS_ASSIGN_OR_RETURN(ReadOptions options, ParseReadOptions(req));
  SS_ASSIGN_OR_RETURN(Target target, ResolveReadTarget(ctx, req, caller, version));
  const v1::DevProject& project = *target.project;
  Json out;
  if (!DevStore::FolderExists(project, target.env, target.path)) {
    out["secrets"] = Json::array();
    out["imports"] = Json::array();
    return out;
  }
  Json secrets = Json::array();
  for (const v1::DevSecret* secret :
       DevStore::ListSecrets(project, target.env, target.path, options.recursive)) {
    // Recursive reads silently drop sub-folders the caller may not read.
    if (secret->path() != target.path &&
        !CheckAccess(caller, project, target.env, secret->path(), Action::kRead).ok()) {
      continue;
    }
    secrets.push_back(SecretRow(project, *secret, RowShape::kRead,
                                ReadValue(project, *secret, options.expand), !options.view_value));
  }
  out["secrets"] = std::move(secrets);
  if (options.include_imports) out["imports"] = ImportsJson(project, target, options);
  return out;
}

absl::StatusOr<Json> GetSecret(ApiContext& ctx, const ApiRequest& req, int version,
                               const std::string& route, const std::string& raw_name) {
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, /*allow_service_token=*/true, route));
  SS_ASSIGN_OR_RETURN(ReadOptions options, ParseReadOptions(req));
  Issues issues;
  std::optional<std::string> name = CheckSecretName(raw_name, Json::array({"secretName"}), issues);
  std::string type = QueryString(req, "type");
  if (!type.empty() && type != "shared" && type != "personal") {
    issues.InvalidEnum(Json::array({"type"}), type, {"shared", "personal"});
  }
  std::optional<int64_t> wanted_version;
  if (const std::string* v = QueryParam(req, "version")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(*v, &n)) {
      issues.InvalidType(Json::array({"version"}), "number", "nan");
    } else {
      wanted_version = n;
    }
  }
  if (!issues.empty()) return issues.ToError();
  SS_ASSIGN_OR_RETURN(Target target, ResolveReadTarget(ctx, req, caller, version));
  const std::string& env = target.env;
  const std::string& path = target.path;
  const v1::DevProject& project = *target.project;
  if (!DevStore::FolderExists(project, env, path)) {
    return NotFound(absl::StrCat("Folder with path '", path, "' in environment with slug '", env,
                                 "' not found"),
                    "GetSecretByName");
  }
  absl::Status missing = NotFound(absl::StrCat("Secret with name '", *name, "' not found"));
  if (type == "personal") return missing;
  const v1::DevSecret* secret = DevStore::FindSecret(project, env, path, *name);
  if (secret == nullptr && options.include_imports) {
    std::vector<const v1::DevImport*> imports = DevStore::ImportsInto(project, env, path);
    for (auto it = imports.rbegin(); it != imports.rend() && secret == nullptr; ++it) {
      secret = DevStore::FindSecret(project, (*it)->from_environment(), (*it)->from_path(), *name);
    }
  }
  if (secret == nullptr) return missing;
  if (wanted_version.has_value() && *wanted_version != secret->version()) {
    return NotFound(
        absl::StrCat("Secret with name '", *name, "' and version ", *wanted_version, " not found"));
  }
  Json j;
  j["secret"] = SecretRow(project, *secret, RowShape::kRead,
                          ReadValue(project, *secret, options.expand), !options.view_value);
  return j;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

// Creating, updating and deleting one secret.
#include "lib/devserver/secret_write_endpoints.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_control.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/request_json.h"
#include "lib/devserver/secret_rows.h"
#include "lib/devserver/write_scope.h"

namespace secretsync {
namespace devserver {
namespace internal {

namespace v1 = ::secretsync::v1;

absl::StatusOr<Json> WriteSecret(ApiContext& ctx, const ApiRequest& req, int version,
                                 const std::string& route, const std::string& raw_name) {
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, /*allow_service_token=*/true, route));
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  const std::string& m = req.method;
  Issues issues;
  std::optional<std::string> name = CheckSecretName(raw_name, Json::array({"secretName"}), issues);
  WriteScope scope = ParseWriteScope(body, version, issues);
  SecretChange change;
  std::optional<std::string> value = StringField(body, "secretValue", m == "POST", issues);
  if (m != "DELETE") {
    if (value.has_value()) change.value = TrimSecretValue(*value);
    change.comment = StringField(body, "secretComment", false, issues);
    change.skip_multiline_encoding = BoolField(body, "skipMultilineEncoding", issues);
    if (m == "PATCH") {
      if (std::optional<std::string> new_name = StringField(body, "newSecretName", false, issues)) {
        change.new_name = CheckSecretName(*new_name, Json::array({"newSecretName"}), issues);
      }
    }
  }
  if (!issues.empty()) return issues.ToError();
  if (IsPersonal(body)) {
    if (m == "POST") return BadRequest("Must be user to create personal secret");
    return NotFound(m == "DELETE" ? "Secret not found"
                                  : absl::StrCat("Secret with name ", *name, " not found"));
  }
  Action action = m == "POST" ? Action::kCreate : m == "PATCH" ? Action::kEdit : Action::kDelete;
  SS_ASSIGN_OR_RETURN(Target target, ResolveTarget(ctx, caller, scope.project_id, scope.slug,
                                                   scope.env, scope.path, action));
  const std::string project_id = target.project->id();
  if (!DevStore::FolderExists(*target.project, target.env, target.path)) {
    return FolderNotFound(target.path, target.env, m == "POST" ? "CreateSecret" : "NotFound");
  }
  DevStore& store = ctx.store();
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    absl::StatusOr<v1::DevSecret> secret =
        m == "POST"    ? store.CreateSecret(project_id, target.env, target.path, *name, change)
        : m == "PATCH" ? store.UpdateSecret(project_id, target.env, target.path, *name, change)
                       : store.DeleteSecret(project_id, target.env, target.path, *name);
    SS_RETURN_IF_ERROR(secret.status());
    ctx.NoteSecretsChanged(project_id, target.env, target.path);
    const v1::DevProject& project = *store.ProjectById(project_id);
    if (change.value.has_value()) {
      SS_RETURN_IF_ERROR(
          DevStore::CheckReferences(project, target.env, target.path, *change.value));
    }
    // PATCH echoes the value sent ("" when none), not the stored one.
    std::string reply_value = m == "PATCH" ? change.value.value_or("") : secret->value();
    Json j;
    j["secret"] = SecretRow(project, *secret, RowShape::kWrite, reply_value, false);
    return j;
  });
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

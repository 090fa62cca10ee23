// Batch create, update and delete of secrets, applied as one transaction.
#include "lib/devserver/batch_endpoints.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
namespace {

namespace v1 = ::secretsync::v1;

struct Item {
  std::string key;
  std::string path;
  SecretChange change;
};

// The "secrets" array of a batch body; problems go to `issues`.
std::vector<Item> ParseItems(const Json& body, const std::string& m, const std::string& path,
                             Issues& issues) {
  std::vector<Item> items;
  auto list = body.find("secrets");
  if (list == body.end() || !list->is_array()) {
    issues.InvalidType(Json::array({"secrets"}), "array",
                       list == body.end() ? "undefined" : ZodType(*list));
    return items;
  }
  if (list->empty()) {
    issues.TooSmallArray(Json::array({"secrets"}));
    return items;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& raw = (*list)[i];
    Json prefix = Json::array({"secrets", i});
    if (!raw.is_object()) {
      issues.InvalidType(prefix, "object", ZodType(raw));
      continue;
    }
    Item item;
    std::optional<std::string> key = StringField(raw, "secretKey", true, issues, prefix);
    if (key.has_value()) {
      item.key = CheckSecretName(*key, PathOf(prefix, "secretKey"), issues).value_or("");
    }
    if (m != "DELETE") {
      std::optional<std::string> value =
          StringField(raw, "secretValue", m == "POST", issues, prefix);
      if (value.has_value()) item.change.value = TrimSecretValue(*value);
      item.change.comment = StringField(raw, "secretComment", false, issues, prefix);
      item.change.skip_multiline_encoding = BoolField(raw, "skipMultilineEncoding", issues, prefix);
    }
    item.path = path;
    if (m == "PATCH") {
      if (std::optional<std::string> p = StringField(raw, "secretPath", false, issues, prefix)) {
        item.path = NormalizeSecretPath(*p);
      }
      if (std::optional<std::string> n = StringField(raw, "newSecretName", false, issues, prefix)) {
        item.change.new_name = CheckSecretName(*n, PathOf(prefix, "newSecretName"), issues);
      }
    }
    items.push_back(std::move(item));
  }
  return items;
}

// Writes every item (the store is rolled back by the caller's transaction on
// error) and returns the rows of the reply.
absl::StatusOr<Json> ApplyItems(DevStore& store, const Caller& caller, const Target& target,
                                const std::string& m, const std::string& mode,
                                const std::vector<Item>& items) {
  const std::string project_id = target.project->id();
  const v1::DevProject* project = store.ProjectById(project_id);
  std::vector<std::string> missing, existing;
  std::set<std::string> seen;
  for (const Item& item : items) {
    bool exists = DevStore::FindSecret(*project, target.env, item.path, item.key) != nullptr;
    bool duplicate = !seen.insert(absl::StrCat(item.path, "\n", item.key)).second;
    if (m == "POST" && (exists || duplicate)) existing.push_back(item.key);
    if (m != "POST" && !exists) missing.push_back(item.key);
  }
  if (!existing.empty()) {
    return BadRequest(absl::StrCat("Secret already exist: ", absl::StrJoin(existing, ",")));
  }
  if (m == "DELETE" && !missing.empty()) {
    return NotFound(absl::StrCat("Secret does not exist: ", absl::StrJoin(missing, ",")));
  }
  if (m == "PATCH" && mode == "failOnNotFound" && !missing.empty()) {
    return NotFound(absl::StrCat("Secret does not exist: ", absl::StrJoin(missing, ","),
                                 " in path ", target.path));
  }
  if (m == "PATCH" && mode == "upsert" && !missing.empty()) {
    SS_RETURN_IF_ERROR(CheckAccess(caller, *project, target.env, target.path, Action::kCreate));
  }
  std::vector<v1::DevSecret> written;
  for (const Item& item : items) {
    absl::StatusOr<v1::DevSecret> secret;
    bool exists = DevStore::FindSecret(*store.ProjectById(project_id), target.env, item.path,
                                       item.key) != nullptr;
    if (m == "POST" || (m == "PATCH" && !exists && mode == "upsert")) {
      secret = store.CreateSecret(project_id, target.env, item.path, item.key, item.change);
      if (secret.ok() && item.change.new_name.has_value()) {
        secret = store.UpdateSecret(project_id, target.env, item.path, item.key,
                                    SecretChange{{}, {}, {}, item.change.new_name});
        if (secret.ok()) secret->set_version(1);
      }
    } else if (m == "PATCH") {
      if (!exists) continue;  // mode "ignore"
      secret = store.UpdateSecret(project_id, target.env, item.path, item.key, item.change);
    } else {
      secret = store.DeleteSecret(project_id, target.env, item.path, item.key);
    }
    SS_RETURN_IF_ERROR(secret.status());
    written.push_back(*std::move(secret));
  }
  project = store.ProjectById(project_id);
  Json rows = Json::array();
  for (const v1::DevSecret& secret : written) {
    if (m != "DELETE") {
      SS_RETURN_IF_ERROR(
          DevStore::CheckReferences(*project, target.env, secret.path(), secret.value()));
    }
    rows.push_back(SecretRow(*project, secret, RowShape::kWrite, secret.value(), false));
  }
  Json j;
  j["secrets"] = std::move(rows);
  return j;
}

}  // namespace

absl::StatusOr<Json> BatchWrite(ApiContext& ctx, const ApiRequest& req, int version,
                                const std::string& route) {
  const std::string& m = req.method;
  // v4 accepts service tokens on batch create only.
  bool allow_st = version == 3 || m == "POST";
  SS_ASSIGN_OR_RETURN(Caller caller, Authenticate(ctx, req, allow_st, route));
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  WriteScope scope = ParseWriteScope(body, version, issues);
  std::string mode = "failOnNotFound";
  if (m == "PATCH") {
    if (std::optional<std::string> given = StringField(body, "mode", false, issues)) {
      mode = *given;
      if (mode != "failOnNotFound" && mode != "upsert" && mode != "ignore") {
        issues.InvalidEnum(Json::array({"mode"}), mode, {"failOnNotFound", "upsert", "ignore"});
      }
    }
  }
  std::vector<Item> items = ParseItems(body, m, scope.path, issues);
  if (!issues.empty()) return issues.ToError();
  Action action = m == "POST" ? Action::kCreate : m == "PATCH" ? Action::kEdit : Action::kDelete;
  SS_ASSIGN_OR_RETURN(Target target, ResolveTarget(ctx, caller, scope.project_id, scope.slug,
                                                   scope.env, scope.path, action));
  for (const Item& item : items) {
    if (!DevStore::FolderExists(*target.project, target.env, item.path)) {
      return FolderNotFound(item.path, target.env, "NotFound");
    }
    if (item.path != target.path) {
      SS_RETURN_IF_ERROR(CheckAccess(caller, *target.project, target.env, item.path, action));
    }
  }
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    SS_ASSIGN_OR_RETURN(Json j, ApplyItems(ctx.store(), caller, target, m, mode, items));
    for (const Item& item : items) {
      ctx.NoteSecretsChanged(target.project->id(), target.env, item.path);
    }
    return j;
  });
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

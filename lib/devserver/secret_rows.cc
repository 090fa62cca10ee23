// Secret rows and project objects in Infisical's JSON shapes.
#include "lib/devserver/secret_rows.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/secret_references.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

namespace v1 = ::secretsync::v1;

constexpr absl::string_view kHiddenValue = "<hidden-by-infisical>";

}  // namespace

std::string ReadValue(const v1::DevProject& project, const v1::DevSecret& secret, bool expand) {
  if (!expand || FindReferences(secret.value(), secret.environment(), secret.path()).empty()) {
    return secret.value();
  }
  SecretLookup lookup = [&project](const std::string& env, const std::string& path,
                                   const std::string& key) -> std::optional<std::string> {
    const v1::DevSecret* target = DevStore::FindSecret(project, env, path, key);
    if (target == nullptr) return std::nullopt;
    return target->value();
  };
  std::string value = ExpandReferences(secret.value(), secret.environment(), secret.path(), lookup);
  // formatMultiValueEnv: a multi-line expanded value of a skipMultilineEncoding
  // secret comes back quoted with "\n" escapes.
  if (secret.skip_multiline_encoding() && value.find('\n') != std::string::npos) {
    value = absl::StrCat("\"", absl::StrReplaceAll(value, {{"\n", "\\n"}}), "\"");
  }
  return value;
}

Json SecretRow(const v1::DevProject& project, const v1::DevSecret& secret, RowShape shape,
               const std::string& value, bool hidden) {
  Json row;
  row["id"] = secret.id();
  row["_id"] = secret.id();
  row["workspace"] = project.id();
  row["environment"] = secret.environment();
  row["version"] = secret.version();
  row["type"] = "shared";
  row["secretKey"] = secret.key();
  row["secretValue"] = hidden ? std::string(kHiddenValue) : value;
  row["secretComment"] = secret.comment();
  row["secretReminderNote"] = nullptr;
  row["secretReminderRepeatDays"] = nullptr;
  row["skipMultilineEncoding"] = secret.skip_multiline_encoding();
  if (shape == RowShape::kWrite) {
    row["metadata"] = nullptr;
    row["createdAt"] = secret.created_at();
    row["updatedAt"] = secret.updated_at();
    row["secretValueHidden"] = false;
    return row;
  }
  if (shape == RowShape::kRead) {
    row["createdAt"] = secret.created_at();
    row["updatedAt"] = secret.updated_at();
  }
  row["actor"] = nullptr;
  row["isRotatedSecret"] = false;
  row["rotationId"] = nullptr;
  row["secretPath"] = secret.path();
  row["secretValueHidden"] = hidden;
  row["secretMetadata"] = Json::array();
  row["tags"] = Json::array();
  return row;
}

Json ProjectJson(const v1::DevProject& project, const std::string& org_id) {
  Json j;
  j["id"] = project.id();
  j["_id"] = project.id();
  j["name"] = project.name();
  j["slug"] = project.slug();
  j["autoCapitalization"] = false;
  j["orgId"] = org_id;
  j["version"] = 3;
  j["upgradeStatus"] = nullptr;
  Json envs = Json::array();
  for (const v1::DevEnvironment& env : project.environments()) {
    Json e;
    e["id"] = env.id();
    e["name"] = env.name();
    e["slug"] = env.slug();
    envs.push_back(std::move(e));
  }
  j["environments"] = std::move(envs);
  return j;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

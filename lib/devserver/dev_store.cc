// DevStore: seed validation, folder bookkeeping, secret writes and tokens.
#include "lib/devserver/dev_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/secret_references.h"
#include "lib/devserver/webhook_config.h"

namespace secretsync {
namespace devserver {
namespace {

namespace v1 = ::secretsync::v1;

std::string FolderEntry(absl::string_view env, absl::string_view path) {
  return absl::StrCat(env, ":", path);
}

std::string FormatUuid(const uint8_t* b) {
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

bool IsHex(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); });
}

absl::Status SeedError(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("seed ", field, ": ", why));
}

// Adds `path` and its ancestors (not "/") to `folders`.
void AddFolderWithAncestors(absl::string_view env, absl::string_view path,
                            std::set<std::string>& folders) {
  std::string p(path);
  while (p.size() > 1) {
    folders.insert(FolderEntry(env, p));
    p = p.substr(0, p.rfind('/'));
    if (p.empty()) p = "/";
  }
}

bool ValidSecretName(absl::string_view name) {
  return !name.empty() && name.find(':') == absl::string_view::npos &&
         name.find('/') == absl::string_view::npos;
}

}  // namespace

std::string NormalizeSecretPath(absl::string_view path) {
  std::string p(absl::StripAsciiWhitespace(path));
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p == "/") return "/";
  if (p.front() != '/') p.insert(p.begin(), '/');
  return p;
}

std::string TrimSecretValue(absl::string_view value) {
  std::string trimmed(absl::StripAsciiWhitespace(value));
  if (absl::EndsWith(value, "\n")) trimmed.push_back('\n');
  return trimmed;
}

absl::StatusOr<std::unique_ptr<DevStore>> DevStore::Create(v1::DevSeed seed, Clock& clock,
                                                           RandomSource& random) {
  std::unique_ptr<DevStore> store(new DevStore(clock, random));
  store->state_ = std::move(seed);
  SS_RETURN_IF_ERROR(store->Normalize());
  return store;
}

absl::Status DevStore::Normalize() {
  if (state_.org_id().empty()) {
    SS_ASSIGN_OR_RETURN(std::string org_id, NewUuid());
    state_.set_org_id(org_id);
  }
  if (state_.token_signing_key_hex().empty()) {
    uint8_t key[32];
    SS_RETURN_IF_ERROR(random_.Fill(key, sizeof(key)));
    state_.set_token_signing_key_hex(
        absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(key), sizeof(key))));
  }
  const std::string& key_hex = state_.token_signing_key_hex();
  if (key_hex.size() % 2 != 0 || !IsHex(key_hex)) {
    return SeedError("token_signing_key_hex", "not an even-length hex string");
  }
  signing_key_ = absl::HexStringToBytes(key_hex);

  std::set<std::string> project_ids, project_slugs;
  for (int p = 0; p < state_.projects_size(); ++p) {
    v1::DevProject& project = *state_.mutable_projects(p);
    std::string at = absl::StrCat("projects[", p, "]");
    if (project.id().empty()) return SeedError(absl::StrCat(at, ".id"), "required");
    if (project.slug().empty()) return SeedError(absl::StrCat(at, ".slug"), "required");
    if (!project_ids.insert(project.id()).second) {
      return SeedError(absl::StrCat(at, ".id"),
                       absl::StrCat("duplicate project id '", project.id(), "'"));
    }
    if (!project_slugs.insert(project.slug()).second) {
      return SeedError(absl::StrCat(at, ".slug"),
                       absl::StrCat("duplicate project slug '", project.slug(), "'"));
    }
    if (project.name().empty()) project.set_name(project.slug());
    std::set<std::string> envs;
    for (int e = 0; e < project.environments_size(); ++e) {
      v1::DevEnvironment& env = *project.mutable_environments(e);
      std::string env_at = absl::StrCat(at, ".environments[", e, "]");
      if (env.slug().empty()) return SeedError(absl::StrCat(env_at, ".slug"), "required");
      if (!envs.insert(env.slug()).second) {
        return SeedError(absl::StrCat(env_at, ".slug"),
                         absl::StrCat("duplicate environment '", env.slug(), "'"));
      }
      if (env.name().empty()) env.set_name(env.slug());
      if (env.id().empty()) {
        SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
        env.set_id(id);
      }
    }
    auto check_env = [&](absl::string_view field, const std::string& slug) -> absl::Status {
      if (envs.count(slug) == 0) {
        return SeedError(field, absl::StrCat("unknown environment '", slug, "'"));
      }
      return absl::OkStatus();
    };
    std::set<std::string> folders;
    for (int f = 0; f < project.folders_size(); ++f) {
      std::string field = absl::StrCat(at, ".folders[", f, "]");
      std::pair<std::string, std::string> parts =
          absl::StrSplit(project.folders(f), absl::MaxSplits(':', 1));
      if (parts.second.empty()) return SeedError(field, "want \"env:/path\"");
      SS_RETURN_IF_ERROR(check_env(field, parts.first));
      AddFolderWithAncestors(parts.first, NormalizeSecretPath(parts.second), folders);
    }
    std::set<std::string> secret_ids;
    for (int s = 0; s < project.secrets_size(); ++s) {
      v1::DevSecret& secret = *project.mutable_secrets(s);
      std::string field = absl::StrCat(at, ".secrets[", s, "]");
      SS_RETURN_IF_ERROR(check_env(absl::StrCat(field, ".environment"), secret.environment()));
      secret.set_path(NormalizeSecretPath(secret.path()));
      secret.set_key(std::string(absl::StripAsciiWhitespace(secret.key())));
      if (!ValidSecretName(secret.key())) {
        return SeedError(absl::StrCat(field, ".key"), "empty or contains ':' or '/'");
      }
      if (!secret_ids
               .insert(FolderEntry(secret.environment(),
                                   absl::StrCat(secret.path(), "\n", secret.key())))
               .second) {
        return SeedError(field, absl::StrCat("duplicate secret ", secret.key(), " in ",
                                             secret.environment(), ":", secret.path()));
      }
      if (secret.version() <= 0) secret.set_version(1);
      if (secret.id().empty()) {
        SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
        secret.set_id(id);
      }
      if (secret.created_at().empty()) secret.set_created_at(NowRfc3339());
      if (secret.updated_at().empty()) secret.set_updated_at(secret.created_at());
      AddFolderWithAncestors(secret.environment(), secret.path(), folders);
    }
    for (int i = 0; i < project.imports_size(); ++i) {
      v1::DevImport& import = *project.mutable_imports(i);
      std::string field = absl::StrCat(at, ".imports[", i, "]");
      SS_RETURN_IF_ERROR(check_env(absl::StrCat(field, ".environment"), import.environment()));
      SS_RETURN_IF_ERROR(
          check_env(absl::StrCat(field, ".from_environment"), import.from_environment()));
      import.set_path(NormalizeSecretPath(import.path()));
      import.set_from_path(NormalizeSecretPath(import.from_path()));
      AddFolderWithAncestors(import.environment(), import.path(), folders);
      AddFolderWithAncestors(import.from_environment(), import.from_path(), folders);
    }
    project.clear_folders();
    for (const std::string& folder : folders) project.add_folders(folder);
  }

  std::set<std::string> client_ids;
  for (int i = 0; i < state_.identities_size(); ++i) {
    const v1::DevIdentity& identity = state_.identities(i);
    std::string at = absl::StrCat("identities[", i, "]");
    if (identity.client_id().empty()) return SeedError(absl::StrCat(at, ".client_id"), "required");
    if (!client_ids.insert(identity.client_id()).second) {
      return SeedError(absl::StrCat(at, ".client_id"),
                       absl::StrCat("duplicate client id '", identity.client_id(), "'"));
    }
    for (int p = 0; p < identity.project_ids_size(); ++p) {
      if (project_ids.count(identity.project_ids(p)) == 0) {
        return SeedError(absl::StrCat(at, ".project_ids[", p, "]"),
                         absl::StrCat("unknown project '", identity.project_ids(p), "'"));
      }
    }
  }
  std::set<std::string> token_ids;
  for (int i = 0; i < state_.service_tokens_size(); ++i) {
    const v1::DevServiceToken& token = state_.service_tokens(i);
    std::string at = absl::StrCat("service_tokens[", i, "]");
    std::vector<std::string> parts = absl::StrSplit(token.token(), '.');
    if (parts.size() != 3 || parts[0] != "st" || parts[1].empty() || parts[2].empty()) {
      return SeedError(absl::StrCat(at, ".token"), "want \"st.<id>.<secret>\"");
    }
    if (!token_ids.insert(parts[1]).second) {
      return SeedError(absl::StrCat(at, ".token"),
                       absl::StrCat("duplicate token id '", parts[1], "'"));
    }
    if (project_ids.count(token.project_id()) == 0) {
      return SeedError(absl::StrCat(at, ".project_id"),
                       absl::StrCat("unknown project '", token.project_id(), "'"));
    }
    for (int p = 0; p < token.permissions_size(); ++p) {
      const std::string& perm = token.permissions(p);
      if (perm != "read" && perm != "write" && perm != "readValue") {
        return SeedError(absl::StrCat(at, ".permissions[", p, "]"),
                         absl::StrCat("unknown permission '", perm, "' (read, write, readValue)"));
      }
    }
  }
  for (int i = 0; i < state_.webhooks_size(); ++i) {
    v1::DevWebhook& webhook = *state_.mutable_webhooks(i);
    SS_RETURN_IF_ERROR(NormalizeWebhook(webhook, state_, absl::StrCat("webhooks[", i, "]")));
    if (webhook.id().empty()) {
      SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
      webhook.set_id(id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::DevWebhook> DevStore::AddWebhook(v1::DevWebhook webhook) {
  SS_RETURN_IF_ERROR(NormalizeWebhook(webhook, state_, "webhook"));
  SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
  webhook.set_id(id);
  *state_.add_webhooks() = webhook;
  return webhook;
}

const v1::DevWebhook* DevStore::WebhookById(absl::string_view id) const {
  for (const v1::DevWebhook& webhook : state_.webhooks()) {
    if (webhook.id() == id) return &webhook;
  }
  return nullptr;
}

const v1::DevProject* DevStore::ProjectById(absl::string_view id) const {
  for (const v1::DevProject& project : state_.projects()) {
    if (project.id() == id) return &project;
  }
  return nullptr;
}

v1::DevProject* DevStore::MutableProjectById(absl::string_view id) {
  for (v1::DevProject& project : *state_.mutable_projects()) {
    if (project.id() == id) return &project;
  }
  return nullptr;
}

const v1::DevProject* DevStore::ProjectBySlug(absl::string_view slug) const {
  for (const v1::DevProject& project : state_.projects()) {
    if (project.slug() == slug) return &project;
  }
  return nullptr;
}

const v1::DevEnvironment* DevStore::FindEnvironment(const v1::DevProject& project,
                                                    absl::string_view slug) {
  for (const v1::DevEnvironment& env : project.environments()) {
    if (env.slug() == slug) return &env;
  }
  return nullptr;
}

bool DevStore::FolderExists(const v1::DevProject& project, absl::string_view env,
                            absl::string_view path) {
  if (FindEnvironment(project, env) == nullptr) return false;
  if (path == "/") return true;
  std::string entry = FolderEntry(env, path);
  return std::find(project.folders().begin(), project.folders().end(), entry) !=
         project.folders().end();
}

std::string DevStore::FolderId(const v1::DevProject& project, absl::string_view env,
                               absl::string_view path) {
  std::string input = absl::StrCat(project.id(), "\n", env, "\n", path);
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);
  return FormatUuid(digest);
}

const v1::DevSecret* DevStore::FindSecret(const v1::DevProject& project, absl::string_view env,
                                          absl::string_view path, absl::string_view key) {
  for (const v1::DevSecret& secret : project.secrets()) {
    if (secret.environment() == env && secret.path() == path && secret.key() == key) {
      return &secret;
    }
  }
  return nullptr;
}

std::vector<const v1::DevSecret*> DevStore::ListSecrets(const v1::DevProject& project,
                                                        absl::string_view env,
                                                        absl::string_view path, bool recursive) {
  std::vector<const v1::DevSecret*> out;
  std::string prefix = path == "/" ? "/" : absl::StrCat(path, "/");
  for (const v1::DevSecret& secret : project.secrets()) {
    if (secret.environment() != env) continue;
    bool in_folder = secret.path() == path;
    bool in_subfolder = recursive && absl::StartsWith(secret.path(), prefix);
    if (in_folder || in_subfolder) out.push_back(&secret);
  }
  std::stable_sort(out.begin(), out.end(), [](const v1::DevSecret* a, const v1::DevSecret* b) {
    return std::tie(a->path(), a->key()) < std::tie(b->path(), b->key());
  });
  return out;
}

std::vector<const v1::DevImport*> DevStore::ImportsInto(const v1::DevProject& project,
                                                        absl::string_view env,
                                                        absl::string_view path) {
  std::vector<const v1::DevImport*> out;
  for (const v1::DevImport& import : project.imports()) {
    if (import.environment() == env && import.path() == path) out.push_back(&import);
  }
  return out;
}

absl::Status DevStore::CheckReferences(const v1::DevProject& project, absl::string_view env,
                                       absl::string_view path, absl::string_view value) {
  std::vector<std::string> missing;
  for (const SecretReference& ref : FindReferences(value, env, path)) {
    if (FindEnvironment(project, ref.environment) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("Referenced environment not found. Missing ", ref.environment));
    }
    if (!FolderExists(project, ref.environment, ref.path)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Referenced path ", ref.path, " doesn't exist"));
    }
    if (FindSecret(project, ref.environment, ref.path, ref.key) == nullptr) {
      missing.push_back(ref.key);
    }
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Referenced secret(s) not found: ", absl::StrJoin(missing, ",")));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::DevSecret> DevStore::CreateSecret(absl::string_view project_id,
                                                     absl::string_view env, absl::string_view path,
                                                     absl::string_view key,
                                                     const SecretChange& change) {
  v1::DevProject* project = MutableProjectById(project_id);
  if (project == nullptr) {
    return absl::NotFoundError(absl::StrCat("Project with ID '", project_id, "' not found"));
  }
  if (FindSecret(*project, env, path, key) != nullptr) {
    return absl::AlreadyExistsError("Secret already exist");
  }
  v1::DevSecret& secret = *project->add_secrets();
  SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
  secret.set_id(id);
  secret.set_environment(std::string(env));
  secret.set_path(std::string(path));
  secret.set_key(std::string(key));
  secret.set_value(change.value.value_or(""));
  secret.set_comment(change.comment.value_or(""));
  secret.set_skip_multiline_encoding(change.skip_multiline_encoding.value_or(false));
  secret.set_version(1);
  secret.set_created_at(NowRfc3339());
  secret.set_updated_at(secret.created_at());
  return secret;
}

absl::StatusOr<v1::DevSecret> DevStore::UpdateSecret(absl::string_view project_id,
                                                     absl::string_view env, absl::string_view path,
                                                     absl::string_view key,
                                                     const SecretChange& change) {
  v1::DevProject* project = MutableProjectById(project_id);
  if (project == nullptr) {
    return absl::NotFoundError(absl::StrCat("Project with ID '", project_id, "' not found"));
  }
  if (change.new_name.has_value() && *change.new_name != key &&
      FindSecret(*project, env, path, *change.new_name) != nullptr) {
    return absl::AlreadyExistsError("Secret with the new name already exist");
  }
  for (v1::DevSecret& secret : *project->mutable_secrets()) {
    if (secret.environment() != env || secret.path() != path || secret.key() != key) continue;
    if (change.value.has_value()) secret.set_value(*change.value);
    if (change.comment.has_value()) secret.set_comment(*change.comment);
    if (change.skip_multiline_encoding.has_value()) {
      secret.set_skip_multiline_encoding(*change.skip_multiline_encoding);
    }
    if (change.new_name.has_value()) secret.set_key(*change.new_name);
    secret.set_version(secret.version() + 1);
    secret.set_updated_at(NowRfc3339());
    return secret;
  }
  return absl::NotFoundError(absl::StrCat("Secret with name ", key, " not found"));
}

absl::StatusOr<v1::DevSecret> DevStore::DeleteSecret(absl::string_view project_id,
                                                     absl::string_view env, absl::string_view path,
                                                     absl::string_view key) {
  v1::DevProject* project = MutableProjectById(project_id);
  if (project == nullptr) {
    return absl::NotFoundError(absl::StrCat("Project with ID '", project_id, "' not found"));
  }
  for (int i = 0; i < project->secrets_size(); ++i) {
    const v1::DevSecret& secret = project->secrets(i);
    if (secret.environment() != env || secret.path() != path || secret.key() != key) continue;
    v1::DevSecret removed = secret;
    project->mutable_secrets()->DeleteSubrange(i, 1);
    return removed;
  }
  return absl::NotFoundError("Secret not found");
}

const v1::DevIdentity* DevStore::IdentityByClientId(absl::string_view client_id) const {
  for (const v1::DevIdentity& identity : state_.identities()) {
    if (identity.client_id() == client_id) return &identity;
  }
  return nullptr;
}

const v1::DevServiceToken* DevStore::ServiceTokenById(absl::string_view token_id) const {
  for (const v1::DevServiceToken& token : state_.service_tokens()) {
    std::vector<absl::string_view> parts = absl::StrSplit(token.token(), '.');
    if (parts.size() == 3 && parts[1] == token_id) return &token;
  }
  return nullptr;
}

uint32_t DevStore::TokenTtlSeconds(const v1::DevIdentity& identity) {
  return identity.has_access_token_ttl_seconds() ? identity.access_token_ttl_seconds()
                                                 : kDefaultTokenTtlSeconds;
}

uint32_t DevStore::TokenMaxTtlSeconds(const v1::DevIdentity& identity) {
  return identity.has_access_token_max_ttl_seconds() ? identity.access_token_max_ttl_seconds()
                                                     : kDefaultTokenTtlSeconds;
}

absl::StatusOr<v1::DevAccessToken> DevStore::IssueAccessToken(const v1::DevIdentity& identity) {
  v1::DevAccessToken& token = *state_.add_access_tokens();
  SS_ASSIGN_OR_RETURN(std::string id, NewUuid());
  int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
  token.set_id(id);
  token.set_client_id(identity.client_id());
  token.set_created_at_unix(now);
  token.set_last_renewed_at_unix(now);
  token.set_ttl_seconds(TokenTtlSeconds(identity));
  token.set_max_ttl_seconds(TokenMaxTtlSeconds(identity));
  token.set_num_uses_limit(identity.access_token_num_uses_limit());
  return token;
}

v1::DevAccessToken* DevStore::MutableAccessToken(absl::string_view id) {
  for (v1::DevAccessToken& token : *state_.mutable_access_tokens()) {
    if (token.id() == id) return &token;
  }
  return nullptr;
}

bool DevStore::DeleteAccessToken(absl::string_view id) {
  for (int i = 0; i < state_.access_tokens_size(); ++i) {
    if (state_.access_tokens(i).id() == id) {
      state_.mutable_access_tokens()->DeleteSubrange(i, 1);
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::string> DevStore::NewUuid() {
  uint8_t b[16];
  SS_RETURN_IF_ERROR(random_.Fill(b, sizeof(b)));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

std::string DevStore::NowRfc3339() const {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_.TimeNow(), absl::UTCTimeZone());
}

}  // namespace devserver
}  // namespace secretsync

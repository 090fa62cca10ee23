// Deployment config loading: text-format parsing with positions, then checks
// whose errors point at the offending field.
#include "lib/config/loader.h"

#include <unistd.h>

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "lib/base/status_macros.h"
#include "lib/config/health_check_config.h"
#include "lib/dotenv/env_name.h"
#include "lib/gen/generator.h"

namespace secretsync {
namespace config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;
using secretsync::v1::CredentialSource;
using secretsync::v1::DeploymentConfig;

// Keeps the first parse error with its (0-based) position.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!has_error_) {
      has_error_ = true;
      line_ = line;
      column_ = column;
      message_ = message;
    }
  }
  bool has_error() const { return has_error_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  bool has_error_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

// Turns field paths into "file:line:col" using the parser's location tree.
class Locator {
 public:
  Locator(absl::string_view filename, const TextFormat::ParseInfoTree& tree)
      : filename_(filename), tree_(tree) {}

  // Position of `field` (index for repeated fields) inside the message reached
  // through `nested`, a list of (field name, index) steps from the root.
  std::string At(const std::vector<std::pair<const FieldDescriptor*, int>>& nested,
                 const FieldDescriptor* field, int index = -1) const {
    const TextFormat::ParseInfoTree* t = &tree_;
    for (const auto& [f, i] : nested) {
      const TextFormat::ParseInfoTree* next = t->GetTreeForNested(f, i);
      if (next == nullptr) break;
      t = next;
    }
    TextFormat::ParseLocation loc = field ? t->GetLocation(field, index) : TextFormat::ParseLocation();
    if (loc.line < 0) return absl::StrCat(filename_, ":1:1");
    return absl::StrCat(filename_, ":", loc.line + 1, ":", loc.column + 1);
  }

 private:
  std::string filename_;
  const TextFormat::ParseInfoTree& tree_;
};

const FieldDescriptor* Field(const Descriptor* d, absl::string_view name) {
  return d->FindFieldByName(std::string(name));
}

std::string Resolve(absl::string_view dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return absl::StrCat(dir, "/", path);
}

absl::Status CheckCredential(const CredentialSource& source, const std::string& where,
                             absl::string_view what) {
  switch (source.source_case()) {
    case CredentialSource::kEnv:
      if (!dotenv::IsEnvName(source.env())) {
        return absl::FailedPreconditionError(
            absl::StrCat(where, ": ", what, ".env is not a valid variable name"));
      }
      return absl::OkStatus();
    case CredentialSource::kFile:
      if (source.file().empty()) {
        return absl::FailedPreconditionError(absl::StrCat(where, ": ", what, ".file is empty"));
      }
      return absl::OkStatus();
    case CredentialSource::kSystemdCredential:
      if (source.systemd_credential().empty() ||
          absl::StrContains(source.systemd_credential(), "/")) {
        return absl::FailedPreconditionError(absl::StrCat(
            where, ": ", what, ".systemd_credential must be a plain credential name"));
      }
      return absl::OkStatus();
    default:
      return absl::FailedPreconditionError(absl::StrCat(
          where, ": ", what, " needs one of env, file or systemd_credential"));
  }
}

absl::Status CheckAuth(DeploymentConfig& c, const Locator& at) {
  if (!c.has_auth()) return absl::OkStatus();
  const Descriptor* d = DeploymentConfig::descriptor();
  const FieldDescriptor* auth_field = Field(d, "auth");
  const Descriptor* ad = secretsync::v1::Auth::descriptor();
  const auto& auth = c.auth();
  switch (auth.method_case()) {
    case secretsync::v1::Auth::kUniversalAuth: {
      const FieldDescriptor* ua = Field(ad, "universal_auth");
      std::string where = at.At({{auth_field, -1}}, ua);
      SS_RETURN_IF_ERROR(CheckCredential(auth.universal_auth().client_id(), where,
                                         "universal_auth.client_id"));
      return CheckCredential(auth.universal_auth().client_secret(), where,
                             "universal_auth.client_secret");
    }
    case secretsync::v1::Auth::kServiceToken:
      return CheckCredential(auth.service_token(),
                             at.At({{auth_field, -1}}, Field(ad, "service_token")),
                             "service_token");
    case secretsync::v1::Auth::kAccessToken:
      return CheckCredential(auth.access_token(),
                             at.At({{auth_field, -1}}, Field(ad, "access_token")),
                             "access_token");
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(at.At({}, auth_field),
                       ": auth needs one of universal_auth, service_token or access_token"));
  }
}

absl::Status CheckSecrets(DeploymentConfig& c, const Locator& at) {
  const FieldDescriptor* secrets = Field(DeploymentConfig::descriptor(), "secrets");
  const Descriptor* sd = secretsync::v1::SecretSpec::descriptor();
  std::set<std::string> seen;
  for (int i = 0; i < c.secrets_size(); ++i) {
    auto* spec = c.mutable_secrets(i);
    if (!dotenv::IsEnvName(spec->name())) {
      return absl::FailedPreconditionError(
          absl::StrCat(at.At({}, secrets, i), ": secret name \"", spec->name(),
                       "\" is not a valid variable name (use [A-Za-z_][A-Za-z0-9_]*)"));
    }
    if (!seen.insert(spec->name()).second) {
      return absl::FailedPreconditionError(absl::StrCat(
          at.At({{secrets, i}}, Field(sd, "name")), ": secret ", spec->name(), " is declared twice"));
    }
    if (spec->has_generator()) {
      *spec->mutable_generator() = gen::WithDefaults(spec->generator());
      absl::Status s = gen::CheckGenerator(spec->generator());
      if (!s.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat(at.At({{secrets, i}}, Field(sd, "generator")), ": secret ",
                         spec->name(), ": ", s.message()));
      }
    }
    const auto& v = spec->validator();
    if (v.kind() == secretsync::v1::Validator::MIN_LENGTH && v.min_length() == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(at.At({{secrets, i}}, Field(sd, "validator")), ": secret ", spec->name(),
                       ": MIN_LENGTH needs min_length > 0"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMode(DeploymentConfig& c, const Locator& at) {
  if (c.file_mode().empty()) c.set_file_mode("0600");
  uint32_t mode = 0;
  const std::string& text = c.file_mode();
  bool ok = !text.empty() && text.size() <= 4;
  for (char ch : text) ok = ok && ch >= '0' && ch <= '7';
  if (ok) ok = absl::numbers_internal::safe_strtou32_base(text, &mode, 8);
  std::string where = at.At({}, Field(DeploymentConfig::descriptor(), "file_mode"));
  if (!ok || mode > 0777) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": file_mode \"", text, "\" is not an octal mode like \"0600\""));
  }
  if (mode & 0007) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": file_mode ", text, " lets every user read the secrets: use 0600 or 0640"));
  }
  if ((mode & 0600) != 0600) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": file_mode ", text, " must let the owner read and write"));
  }
  return absl::OkStatus();
}

void FillDefaults(DeploymentConfig& c, absl::string_view dir) {
  if (c.secret_path().empty()) c.set_secret_path("/");
  auto* inf = c.mutable_infisical();
  if (inf->connect_timeout_ms() == 0) inf->set_connect_timeout_ms(5000);
  if (inf->request_timeout_ms() == 0) inf->set_request_timeout_ms(30000);
  if (inf->max_retries() == 0) inf->set_max_retries(4);
  if (inf->max_response_bytes() == 0) inf->set_max_response_bytes(64ull << 20);
  inf->set_ca_bundle(Resolve(dir, inf->ca_bundle()));
  c.set_template_path(Resolve(dir, c.template_path()));
  c.set_output_path(Resolve(dir, c.output_path()));
  if (c.lock_file().empty() && !c.output_path().empty()) {
    c.set_lock_file(c.output_path() + ".lock");
  }
  c.set_lock_file(Resolve(dir, c.lock_file()));
  if (c.auth().token_cache_file().size() > 0) {
    c.mutable_auth()->set_token_cache_file(Resolve(dir, c.auth().token_cache_file()));
  }
  auto fix_file = [&](CredentialSource* s) {
    if (s->source_case() == CredentialSource::kFile) s->set_file(Resolve(dir, s->file()));
  };
  auto* auth = c.mutable_auth();
  if (auth->has_universal_auth()) {
    fix_file(auth->mutable_universal_auth()->mutable_client_id());
    fix_file(auth->mutable_universal_auth()->mutable_client_secret());
  }
  if (auth->has_service_token()) fix_file(auth->mutable_service_token());
  if (auth->has_access_token()) fix_file(auth->mutable_access_token());
  if (c.health_check().has_http()) {
    auto* http = c.mutable_health_check()->mutable_http();
    http->set_ca_bundle(Resolve(dir, http->ca_bundle()));
  }
  if (c.on_change().command_size() > 0 && c.on_change().timeout_seconds() == 0) {
    c.mutable_on_change()->set_timeout_seconds(300);
  }
}

void ApplyOverrides(const ConfigOverrides& o, DeploymentConfig& c) {
  if (!o.site_url.empty()) c.mutable_infisical()->set_site_url(o.site_url);
  if (!o.environment.empty()) c.set_environment(o.environment);
  if (!o.secret_path.empty()) c.set_secret_path(o.secret_path);
  if (!o.template_path.empty()) c.set_template_path(o.template_path);
  if (!o.output_path.empty()) c.set_output_path(o.output_path);
}

}  // namespace

absl::StatusOr<LoadedConfig> ParseConfig(absl::string_view text, absl::string_view filename,
                                         absl::string_view dir,
                                         const ConfigOverrides& overrides) {
  LoadedConfig out;
  out.path = std::string(filename);
  out.dir = std::string(dir);
  TextFormat::Parser parser;
  FirstErrorCollector errors;
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &out.config)) {
    if (errors.has_error()) {
      return absl::FailedPreconditionError(absl::StrCat(
          filename, ":", errors.line() + 1, ":", errors.column() + 1, ": ", errors.message()));
    }
    return absl::FailedPreconditionError(absl::StrCat(filename, ": cannot parse config"));
  }
  Locator at(filename, tree);
  SS_RETURN_IF_ERROR(CheckAuth(out.config, at));
  SS_RETURN_IF_ERROR(CheckSecrets(out.config, at));
  SS_RETURN_IF_ERROR(CheckMode(out.config, at));
  const FieldDescriptor* slug = Field(DeploymentConfig::descriptor(), "project_slug");
  if (!out.config.project_id().empty() && !out.config.project_slug().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(at.At({}, slug), ": set project_id or project_slug, not both"));
  }
  if (out.config.has_health_check()) {
    absl::Status s = CheckHealthCheck(*out.config.mutable_health_check());
    if (!s.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          at.At({}, Field(DeploymentConfig::descriptor(), "health_check")), ": ", s.message()));
    }
  }
  ApplyOverrides(overrides, out.config);
  FillDefaults(out.config, dir);
  return out;
}

absl::StatusOr<LoadedConfig> LoadConfig(absl::string_view path, Filesystem& fs,
                                        const ConfigOverrides& overrides) {
  constexpr size_t kMaxConfigBytes = 1 << 20;
  auto text = fs.ReadFile(path, kMaxConfigBytes);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("config ", path, ": no such file"));
  }
  if (!text.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("config ", path, ": cannot read: ", text.status().message()));
  }
  // Relative paths in the config resolve against its folder, made absolute so
  // that a later chdir (or an on-change command) cannot change their meaning.
  std::string full(path);
  if (full.empty() || full[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) != nullptr) full = absl::StrCat(cwd, "/", path);
  }
  size_t slash = full.rfind('/');
  std::string dir = full.substr(0, slash == 0 ? 1 : slash);
  return ParseConfig(*text, path, dir, overrides);
}

const secretsync::v1::SecretSpec* FindSpec(const DeploymentConfig& config,
                                           absl::string_view name) {
  for (const auto& s : config.secrets()) {
    if (s.name() == name) return &s;
  }
  return nullptr;
}

}  // namespace config
}  // namespace secretsync

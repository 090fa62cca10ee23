// LoadDeployment / ResolveDeployment.
#include "lib/config/deployment.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"
#include "lib/base/status_macros.h"
#include "lib/base/user_path.h"

namespace secretsync {
namespace config {
namespace {

// A name, or a number taken as the id itself (as chown(1) does).
template <typename Id, typename Lookup>
absl::StatusOr<std::optional<Id>> ResolveId(const std::string& name, absl::string_view field,
                                            const std::string& config_path, Lookup lookup) {
  if (name.empty()) return std::optional<Id>();
  uint32_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return std::optional<Id>(static_cast<Id>(id));
  absl::StatusOr<Id> found = lookup(name);
  if (!found.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("config ", config_path, ": ", field, " ", name, ": ", found.status().message()));
  }
  return std::optional<Id>(*found);
}

std::string DirName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace

std::string RotationStateDir(const Deployment& d) {
  const std::string& configured = d.config.rotation().state_dir();
  if (configured.empty()) return DirName(d.config.output_path()) + "/.secretsync-rotate";
  if (configured[0] == '/') return configured;
  return absl::StrCat(DirName(d.config_path), "/", configured);
}

std::string RotationJournalPath(const Deployment& d, absl::string_view secret_name) {
  const std::string& output = d.config.output_path();
  const size_t slash = output.rfind('/');
  const std::string base = slash == std::string::npos ? output : output.substr(slash + 1);
  return absl::StrCat(RotationStateDir(d), "/", base, "-", Sha256Hex(output).substr(0, 8), ".",
                      secret_name, ".journal");
}

std::string LegacyRotationJournalPath(const Deployment& d, absl::string_view secret_name) {
  return absl::StrCat(RotationStateDir(d), "/", secret_name, ".journal");
}

std::string PendingSecretName(absl::string_view secret_name) {
  return absl::StrCat(secret_name, "__PENDING");
}

absl::StatusOr<Deployment> ResolveDeployment(LoadedConfig loaded, const UserDirectory& users) {
  Deployment d;
  d.config_path = loaded.path;
  d.config = std::move(loaded.config);
  // ParseConfig has checked the mode already: octal, 0600..0770.
  uint32_t mode = 0600;
  if (!absl::numbers_internal::safe_strtou32_base(d.config.file_mode(), &mode, 8)) {
    return absl::FailedPreconditionError(
        absl::StrCat("config ", d.config_path, ": file_mode ", d.config.file_mode(),
                     " is not an octal mode"));
  }
  d.file_mode = mode;
  SS_ASSIGN_OR_RETURN(d.owner, ResolveId<uid_t>(d.config.owner(), "owner", d.config_path,
                                                [&](const std::string& n) { return users.UserId(n); }));
  SS_ASSIGN_OR_RETURN(d.group, ResolveId<gid_t>(d.config.group(), "group", d.config_path,
                                                [&](const std::string& n) { return users.GroupId(n); }));
  return d;
}

absl::StatusOr<Deployment> LoadDeployment(absl::string_view config_path,
                                          ConfigOverrides overrides, Filesystem& fs,
                                          const Environment& env, const UserDirectory& users) {
  if (config_path.empty()) return absl::InvalidArgumentError("--config is required (see --help)");
  overrides.template_path = AbsoluteUserPath(overrides.template_path, env);
  overrides.output_path = AbsoluteUserPath(overrides.output_path, env);
  SS_ASSIGN_OR_RETURN(LoadedConfig loaded,
                      LoadConfig(AbsoluteUserPath(config_path, env), fs, overrides));
  return ResolveDeployment(std::move(loaded), users);
}

}  // namespace config
}  // namespace secretsync

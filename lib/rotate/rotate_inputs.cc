// ReadValueFile and CheckTemplateRendersUser; see rotate_inputs.h.
#include "lib/rotate/rotate_inputs.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/auth/credential_source.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/sync/sync_deployment.h"
#include "lib/template/template.h"

namespace secretsync {
namespace rotate {
namespace {

constexpr size_t kMaxValueBytes = 64 * 1024;

}  // namespace

absl::StatusOr<SecretValue> ReadValueFile(const std::string& path, const Environment& env,
                                          std::istream& in) {
  if (path != "-") {
    v1::CredentialSource source;
    source.set_file(path);
    return auth::ReadCredential(source, "--value-file", env);
  }
  std::string bytes;
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    bytes.append(buf, static_cast<size_t>(in.gcount()));
    if (bytes.size() > kMaxValueBytes) {
      return absl::InvalidArgumentError("--value-file -: more than 64 KiB on stdin");
    }
  }
  if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  SecretValue value(std::move(bytes));
  if (value.empty()) return absl::InvalidArgumentError("--value-file: the new value is empty");
  return value;
}

absl::Status CheckTemplateRendersUser(const config::Deployment& d, Filesystem& fs) {
  const std::string& user = d.config.rotation().user_secret();
  const std::string& path = d.config.template_path();
  SS_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, sync::kMaxTemplateBytes,
                                                    Symlinks::kFollow));
  SS_ASSIGN_OR_RETURN(tmpl::Template t, tmpl::ParseTemplate(text, path));
  for (const std::string& name : t.ReferencedNames()) {
    if (name == user) return absl::OkStatus();
  }
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "config: rotation.strategy ALTERNATING_USERS switches the role through secret ", user,
          ", but template ", path, " does not use ${", user,
          "}: the .env would keep the old role with the new role's password; reference it "
          "wherever the app logs in (e.g. DATABASE_URL)")),
      kExitConfig);
}

}  // namespace rotate
}  // namespace secretsync

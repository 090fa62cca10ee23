// CheckNoRotationPending; see pending_rotation.h.
#include "lib/sync/pending_rotation.h"

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace sync {

absl::StatusOr<std::optional<std::string>> PendingRotationReason(
    const config::Deployment& d, absl::string_view name,
    const std::vector<infisical::SecretRecord>& secrets, Filesystem& fs) {
  for (const std::string& journal :
       {config::RotationJournalPath(d, name), config::LegacyRotationJournalPath(d, name)}) {
    absl::StatusOr<FileInfo> info = fs.Stat(journal);
    // root's rotate keeps its state folder 0700: the deployment owner's own
    // runs (the agent) cannot search it. They rely on <NAME>__PENDING below,
    // which exists for as long as a rotation can leave a mixed pair.
    if (absl::IsPermissionDenied(info.status())) continue;
    SS_RETURN_IF_ERROR(info.status());
    if (info->exists) return std::optional<std::string>(absl::StrCat("journal ", journal));
  }
  const std::string pending = config::PendingSecretName(name);
  for (const infisical::SecretRecord& r : secrets) {
    if (r.name == pending) {
      return std::optional<std::string>(absl::StrCat(pending, " exists in Infisical"));
    }
  }
  return std::optional<std::string>();
}

absl::Status CheckNoRotationPending(const config::Deployment& d,
                                    const std::vector<std::string>& referenced,
                                    const std::vector<infisical::SecretRecord>& secrets,
                                    Filesystem& fs) {
  for (const std::string& name : referenced) {
    SS_ASSIGN_OR_RETURN(std::optional<std::string> why,
                        PendingRotationReason(d, name, secrets, fs));
    if (why.has_value()) {
      return WithExitCode(
          absl::FailedPreconditionError(absl::StrCat(
              "a rotation of ", name, " is pending (", *why,
              "): the existing .env is kept; run rotate --resume to finish or undo it")),
          kExitRotationPending);
    }
  }
  return absl::OkStatus();
}

}  // namespace sync
}  // namespace secretsync

// CheckNoRotationPending; see pending_rotation.h.
#include "lib/sync/pending_rotation.h"

#include <unordered_set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace sync {
namespace {

// The last component of `path`.
absl::string_view BaseName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

// Why a journal makes a rotation of `name` pending, or nullopt. With
// `entries` (the state folder's listing), a journal not listed is not looked
// at: no lstat per name.
absl::StatusOr<std::optional<std::string>> JournalReason(
    const config::Deployment& d, absl::string_view name, Filesystem& fs,
    const std::unordered_set<std::string>* entries) {
  // Nothing listed (the usual case: no folder, or an empty one): no name has
  // a journal, and each name's journal path would cost a SHA-256.
  if (entries != nullptr && entries->empty()) return std::optional<std::string>();
  for (const std::string& journal :
       {config::RotationJournalPath(d, name), config::LegacyRotationJournalPath(d, name)}) {
    if (entries != nullptr && entries->count(std::string(BaseName(journal))) == 0) continue;
    absl::StatusOr<FileInfo> info = fs.Stat(journal);
    // root's rotate keeps its state folder 0700: the deployment owner's own
    // runs (the agent) cannot search it. They rely on <NAME>__PENDING below,
    // which exists for as long as a rotation can leave a mixed pair.
    if (absl::IsPermissionDenied(info.status())) continue;
    SS_RETURN_IF_ERROR(info.status());
    if (info->exists) return std::optional<std::string>(absl::StrCat("journal ", journal));
  }
  return std::optional<std::string>();
}

std::string PendingSecretReason(absl::string_view pending) {
  return absl::StrCat(pending, " exists in Infisical");
}

}  // namespace

absl::StatusOr<std::optional<std::string>> PendingRotationReason(
    const config::Deployment& d, absl::string_view name,
    const std::vector<infisical::SecretRecord>& secrets, Filesystem& fs) {
  SS_ASSIGN_OR_RETURN(std::optional<std::string> why, JournalReason(d, name, fs, nullptr));
  if (why.has_value()) return why;
  const std::string pending = config::PendingSecretName(name);
  for (const infisical::SecretRecord& r : secrets) {
    if (r.name == pending) return std::optional<std::string>(PendingSecretReason(pending));
  }
  return std::optional<std::string>();
}

absl::Status CheckNoRotationPending(const config::Deployment& d,
                                    const std::vector<std::string>& referenced,
                                    const std::vector<infisical::SecretRecord>& secrets,
                                    Filesystem& fs) {
  // A template may render 10,000 names: the state folder is listed once and
  // the __PENDING records indexed once, instead of two lstat calls and a scan
  // of every record per name (which was a third of a 10,000-line sync).
  std::unordered_set<std::string> entries;
  const std::unordered_set<std::string>* listed = &entries;
  absl::StatusOr<std::vector<std::string>> names = fs.ListDir(config::RotationStateDir(d));
  if (names.ok()) {
    entries.insert(names->begin(), names->end());
  } else if (!absl::IsNotFound(names.status())) {
    // A folder this user may search but not read (0711), or an error that
    // each lstat then reports: look at each journal as PendingRotationReason does.
    listed = nullptr;
  }
  const std::string suffix = config::PendingSecretName("");
  std::unordered_set<std::string> pending_records;
  for (const infisical::SecretRecord& r : secrets) {
    if (absl::EndsWith(r.name, suffix)) pending_records.insert(r.name);
  }
  for (const std::string& name : referenced) {
    SS_ASSIGN_OR_RETURN(std::optional<std::string> why, JournalReason(d, name, fs, listed));
    const std::string pending = config::PendingSecretName(name);
    if (!why.has_value() && pending_records.count(pending) > 0) why = PendingSecretReason(pending);
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

// The rejected-content record: one line "sha256 <hex> at <unix seconds>".
#include "lib/sync/rejected_content.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"
#include "lib/sync/file_owner.h"

namespace secretsync {
namespace sync {
namespace {

constexpr size_t kMaxRecordBytes = 4096;

}  // namespace

std::string RejectedContentPath(const config::Deployment& d) {
  return absl::StrCat(d.config.output_path(), ".rejected");
}

absl::StatusOr<std::optional<RejectedContent>> ReadRejectedContent(const config::Deployment& d,
                                                                   Filesystem& fs) {
  absl::StatusOr<std::string> text =
      fs.ReadFile(RejectedContentPath(d), kMaxRecordBytes, Symlinks::kRefuse);
  if (absl::IsNotFound(text.status())) return std::optional<RejectedContent>();
  SS_RETURN_IF_ERROR(text.status());
  std::vector<std::string> words =
      absl::StrSplit(absl::StripAsciiWhitespace(*text), ' ', absl::SkipEmpty());
  RejectedContent r;
  if (words.size() != 4 || words[0] != "sha256" || words[1].size() != 64 || words[2] != "at" ||
      !absl::SimpleAtoi(words[3], &r.rejected_at_unix)) {
    return std::optional<RejectedContent>();
  }
  r.sha256 = words[1];
  return std::optional<RejectedContent>(std::move(r));
}

absl::Status WriteRejectedContent(const config::Deployment& d, Filesystem& fs,
                                  const RejectedContent& rejected) {
  fileio::WriteOptions options;
  options.preferred_owner = DeploymentFileOwner(d, fs);
  return fileio::WriteFileAtomically(
      fs, RejectedContentPath(d),
      absl::StrCat("sha256 ", rejected.sha256, " at ", rejected.rejected_at_unix, "\n"), options);
}

absl::Status ClearRejectedContent(const config::Deployment& d, Filesystem& fs) {
  absl::Status s = fs.Unlink(RejectedContentPath(d));
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

}  // namespace sync
}  // namespace secretsync

// Atomic file output over the Filesystem seam.
#include "lib/fileio/atomic_writer.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace fileio {
namespace {

absl::Status WriteAndRename(Filesystem& fs, absl::string_view path, absl::string_view content,
                            const WriteOptions& opts) {
  std::string dir = DirName(path);
  SS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs.CreateTempFile(dir, TempPrefix(path)));
  std::string temp_path = file->path();
  absl::Cleanup remove_temp = [&fs, &file, &temp_path] {
    file.reset();  // close first
    fs.Unlink(temp_path).IgnoreError();  // best effort; the original is untouched
  };
  SS_RETURN_IF_ERROR(file->Append(content));
  if (opts.uid.has_value() || opts.gid.has_value()) {
    SS_RETURN_IF_ERROR(file->Chown(opts.uid.value_or(static_cast<uid_t>(-1)),
                                   opts.gid.value_or(static_cast<gid_t>(-1))));
  }
  SS_RETURN_IF_ERROR(file->Chmod(opts.mode));
  if (opts.durable) SS_RETURN_IF_ERROR(file->Sync());
  SS_RETURN_IF_ERROR(file->Close());
  SS_RETURN_IF_ERROR(fs.Rename(temp_path, path));
  std::move(remove_temp).Cancel();
  return opts.durable ? fs.SyncDir(dir) : absl::OkStatus();
}

}  // namespace

std::string TempPrefix(absl::string_view path) {
  return absl::StrCat(".", BaseName(path), ".secretsync-tmp-");
}

absl::Status WriteFileAtomically(Filesystem& fs, absl::string_view path,
                                 absl::string_view content, const WriteOptions& opts) {
  if (!opts.backup_path.empty()) {
    SS_ASSIGN_OR_RETURN(std::optional<SecretValue> old, ReadFileIfExists(fs, path));
    if (old.has_value() && old->Expose() != content) {
      WriteOptions backup_opts;  // 0600, owned by us
      SS_RETURN_IF_ERROR(
          Annotate(WriteAndRename(fs, opts.backup_path, old->Expose(), backup_opts),
                   absl::StrCat("back up ", path)));
    }
  }
  return WriteAndRename(fs, path, content, opts);
}

absl::Status WriteFileAtomically(Filesystem& fs, absl::string_view path,
                                 const SecretValue& content, const WriteOptions& opts) {
  return WriteFileAtomically(fs, path, content.Expose(), opts);
}

absl::Status RemoveStaleTempFiles(Filesystem& fs, absl::string_view path) {
  std::string dir = DirName(path);
  std::string prefix = TempPrefix(path);
  SS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  for (const std::string& name : names) {
    if (!absl::StartsWith(name, prefix)) continue;
    absl::Status s = fs.Unlink(JoinPath(dir, name));
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<SecretValue>> ReadFileIfExists(Filesystem& fs,
                                                            absl::string_view path,
                                                            size_t max_bytes) {
  absl::StatusOr<std::string> content = fs.ReadFile(path, max_bytes);
  if (absl::IsNotFound(content.status())) return std::optional<SecretValue>();
  if (!content.ok()) return content.status();
  return std::optional<SecretValue>(SecretValue(std::move(content).value()));
}

}  // namespace fileio
}  // namespace secretsync

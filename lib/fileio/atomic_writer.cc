// Atomic file output over the Filesystem seam.
#include "lib/fileio/atomic_writer.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace fileio {
namespace {

// A temp file written in full next to its destination, renamed over it only by
// Commit(); removed if destroyed uncommitted. Move-only.
class PendingFile {
 public:
  static absl::StatusOr<PendingFile> Create(Filesystem& fs, absl::string_view path,
                                            absl::string_view content, const WriteOptions& opts) {
    std::string dir = DirName(path);
    SS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs.CreateTempFile(dir, TempPrefix(path)));
    PendingFile pending(fs, std::string(path), file->path(), opts.durable);
    absl::Status filled = Fill(*file, content, opts);
    file.reset();  // closed before a failed temp file is unlinked
    if (!filled.ok()) return filled;
    return pending;
  }

  PendingFile(PendingFile&& other)
      : fs_(other.fs_), path_(std::move(other.path_)), temp_(std::move(other.temp_)),
        durable_(other.durable_) {
    other.temp_.clear();
  }
  PendingFile& operator=(PendingFile&&) = delete;
  ~PendingFile() {
    if (!temp_.empty()) fs_.Unlink(temp_).IgnoreError();  // best effort
  }

  // Renames the temp file over the destination, then fsyncs the folder.
  absl::Status Commit() {
    SS_RETURN_IF_ERROR(fs_.Rename(temp_, path_));
    temp_.clear();
    return durable_ ? fs_.SyncDir(DirName(path_)) : absl::OkStatus();
  }

 private:
  // Owner and mode are set before the data is synced and long before the
  // rename: the file is never readable by anyone but its final owner/group.
  static absl::Status Fill(WritableFile& file, absl::string_view content,
                           const WriteOptions& opts) {
    SS_RETURN_IF_ERROR(file.Append(content));
    if (opts.uid.has_value() || opts.gid.has_value()) {
      SS_RETURN_IF_ERROR(file.Chown(opts.uid.value_or(static_cast<uid_t>(-1)),
                                    opts.gid.value_or(static_cast<gid_t>(-1))));
    }
    const FileOwner& preferred = opts.preferred_owner;
    if (preferred.uid != static_cast<uid_t>(-1) || preferred.gid != static_cast<gid_t>(-1)) {
      absl::Status given = file.Chown(preferred.uid, preferred.gid);
      if (!given.ok() && !absl::IsPermissionDenied(given)) return given;
    }
    SS_RETURN_IF_ERROR(file.Chmod(opts.mode));
    if (opts.durable) SS_RETURN_IF_ERROR(file.Sync());
    return file.Close();
  }

  PendingFile(Filesystem& fs, std::string path, std::string temp, bool durable)
      : fs_(fs), path_(std::move(path)), temp_(std::move(temp)), durable_(durable) {}

  Filesystem& fs_;
  std::string path_;
  std::string temp_;  // empty once committed
  bool durable_;
};

}  // namespace

std::string TempPrefix(absl::string_view path) {
  return absl::StrCat(".", BaseName(path), ".secretsync-tmp-");
}

absl::Status WriteFileAtomically(Filesystem& fs, absl::string_view path,
                                 absl::string_view content, const WriteOptions& opts) {
  // The backup is prepared first but takes its place only once the new file
  // is in place: a write that fails leaves both the file and the last good
  // backup as they were.
  std::optional<PendingFile> backup;
  if (!opts.backup_path.empty()) {
    SS_ASSIGN_OR_RETURN(std::optional<SecretValue> old,
                        ReadFileIfExists(fs, path, opts.max_existing_bytes));
    if (old.has_value() && old->Expose() != content) {
      WriteOptions backup_opts;  // 0600, owned as the file is
      backup_opts.uid = opts.uid;
      backup_opts.gid = opts.gid;
      backup_opts.preferred_owner = opts.preferred_owner;
      absl::StatusOr<PendingFile> prepared =
          PendingFile::Create(fs, opts.backup_path, old->Expose(), backup_opts);
      SS_RETURN_IF_ERROR(Annotate(prepared.status(), absl::StrCat("back up ", path)));
      backup.emplace(std::move(*prepared));
    }
  }
  SS_ASSIGN_OR_RETURN(PendingFile file, PendingFile::Create(fs, path, content, opts));
  SS_RETURN_IF_ERROR(file.Commit());
  if (backup.has_value()) {
    // The new file is in place; failing to replace the backup leaves the
    // previous one (older, but intact), which is not worth failing for.
    backup->Commit().IgnoreError();
  }
  return absl::OkStatus();
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
  absl::StatusOr<std::string> content = fs.ReadFile(path, max_bytes, Symlinks::kRefuse);
  if (absl::IsNotFound(content.status())) return std::optional<SecretValue>();
  if (!content.ok()) return content.status();
  return std::optional<SecretValue>(SecretValue(std::move(content).value()));
}

}  // namespace fileio
}  // namespace secretsync

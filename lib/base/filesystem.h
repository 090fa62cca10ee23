// Filesystem seam (leveldb `Env` granularity): every step of an atomic write and
// of locking is a separate call, so a test double can fail any one of them.
#ifndef SECRETSYNC_LIB_BASE_FILESYSTEM_H_
#define SECRETSYNC_LIB_BASE_FILESYSTEM_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {

// What Stat() reports. `exists` is false (and the rest zero) for a missing path.
struct FileInfo {
  bool exists = false;
  bool is_regular = false;
  bool is_symlink = false;  // Stat does not follow links
  bool is_dir = false;
  uint32_t mode = 0;  // permission bits only (st_mode & 07777)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
  dev_t dev = 0;  // with ino: the file's identity, to spot two names for one file
  ino_t ino = 0;
};

// Who is to own a file; -1 (the default) leaves that id as it is.
struct FileOwner {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

// An open file being written (a temp file before its rename). Closing happens in
// Close() or, ignoring errors, in the destructor. Not thread-safe.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // The path the file was created at.
  virtual const std::string& path() const = 0;
  // Writes all of `data` (retrying short writes and EINTR).
  virtual absl::Status Append(absl::string_view data) = 0;
  virtual absl::Status Chmod(uint32_t mode) = 0;  // fchmod
  virtual absl::Status Chown(uid_t uid, gid_t gid) = 0;  // fchown; -1 keeps a field
  virtual absl::Status Sync() = 0;  // fsync
  virtual absl::Status Close() = 0;
};

// A held lock; destroying it releases the lock (closes the descriptor).
class LockedFile {
 public:
  virtual ~LockedFile() = default;
  virtual const std::string& path() const = 0;
};

// Whether a read follows a symbolic link in the path's last component. Files
// that others may plant in a deployment folder (template, output, backup,
// token cache, credentials) are read with kRefuse.
enum class Symlinks { kFollow, kRefuse };

// The file operations secretsync needs. Errors carry the errno mapping of
// absl::ErrnoToStatus (NotFound, PermissionDenied, ...) and name the path.
// Implementations are thread-safe (the objects they return are not).
class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // Creates and opens `<dir>/<prefix>XXXXXX` (random suffix) with
  // O_CREAT|O_EXCL and mode 0600, then fchmods it to 0600, so it is never more
  // open than 0600 whatever the umask.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> CreateTempFile(
      absl::string_view dir, absl::string_view prefix) = 0;
  // rename(2): atomically replaces `to`.
  virtual absl::Status Rename(absl::string_view from, absl::string_view to) = 0;
  // Opens `dir` and fsyncs it, making a rename in it durable.
  virtual absl::Status SyncDir(absl::string_view dir) = 0;
  // Reads a whole file without blocking on a FIFO or device (O_NONBLOCK, then
  // fstat) and, with Symlinks::kRefuse, without following a symbolic link in
  // its last component (O_NOFOLLOW). NotFound if missing; FailedPrecondition
  // if it is a refused symbolic link, not a regular file, or larger than
  // `max_bytes` (checked before reading it all).
  virtual absl::StatusOr<std::string> ReadFile(absl::string_view path, size_t max_bytes,
                                               Symlinks links = Symlinks::kFollow) = 0;
  // Brings the regular file `path` (not followed if a link) to `mode` and, when
  // given (not -1), `uid`/`gid`. FailedPrecondition if it is not a regular file.
  virtual absl::Status SetOwnerAndMode(absl::string_view path, uid_t uid, gid_t gid,
                                       uint32_t mode) = 0;
  // mkdir(2) with `mode`; AlreadyExists if `path` exists.
  virtual absl::Status MakeDir(absl::string_view path, uint32_t mode) = 0;
  // realpath(3): the absolute path with every link resolved. NotFound if a
  // component is missing.
  virtual absl::StatusOr<std::string> RealPath(absl::string_view path) = 0;
  // lstat(2); a missing path is not an error (exists = false).
  virtual absl::StatusOr<FileInfo> Stat(absl::string_view path) = 0;
  // unlink(2). NotFound if missing.
  virtual absl::Status Unlink(absl::string_view path) = 0;
  // Names of the entries of `dir` (no "." or ".."), in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(absl::string_view dir) = 0;
  // Opens `path` read-only (flock needs no write access, so the folder's
  // owner can lock a lock file root created), without following a final
  // symbolic link and without blocking, creating it with mode 0600 if
  // missing, and takes an exclusive flock without blocking. When `owner` names
  // a uid or gid the file (a regular file with one link) does not have, it is
  // fchowned to them, best effort: a refusal (a user other than root) is
  // ignored and the lock is held all the same. FailedPrecondition if `path`
  // is not a regular file; Unavailable if another open file description holds
  // it; other errors as mapped from errno.
  virtual absl::StatusOr<std::unique_ptr<LockedFile>> TryLock(absl::string_view path,
                                                              FileOwner owner = {}) = 0;
};

// The real thing, on POSIX calls. Stateless and thread-safe.
class RealFilesystem : public Filesystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> CreateTempFile(
      absl::string_view dir, absl::string_view prefix) override;
  absl::Status Rename(absl::string_view from, absl::string_view to) override;
  absl::Status SyncDir(absl::string_view dir) override;
  absl::StatusOr<std::string> ReadFile(absl::string_view path, size_t max_bytes,
                                       Symlinks links = Symlinks::kFollow) override;
  absl::Status SetOwnerAndMode(absl::string_view path, uid_t uid, gid_t gid,
                               uint32_t mode) override;
  absl::Status MakeDir(absl::string_view path, uint32_t mode) override;
  absl::StatusOr<std::string> RealPath(absl::string_view path) override;
  absl::StatusOr<FileInfo> Stat(absl::string_view path) override;
  absl::Status Unlink(absl::string_view path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(absl::string_view dir) override;
  absl::StatusOr<std::unique_ptr<LockedFile>> TryLock(absl::string_view path,
                                                      FileOwner owner = {}) override;
};

// Path helpers (pure string operations; no filesystem access).
// "/a/b/.env" -> "/a/b"; ".env" -> "."; "/.env" -> "/".
std::string DirName(absl::string_view path);
// "/a/b/.env" -> ".env".
std::string BaseName(absl::string_view path);
// JoinPath("/a", "b") -> "/a/b".
std::string JoinPath(absl::string_view dir, absl::string_view name);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_FILESYSTEM_H_

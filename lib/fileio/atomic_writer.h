// Atomic file output: temp file in the same folder (0600 from creation), owner
// and mode set before the rename, fsync of file and folder.
#ifndef SECRETSYNC_LIB_FILEIO_ATOMIC_WRITER_H_
#define SECRETSYNC_LIB_FILEIO_ATOMIC_WRITER_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace fileio {

struct WriteOptions {
  uint32_t mode = 0600;           // final permission bits
  std::optional<uid_t> uid;       // fchown'ed before the rename when set
  std::optional<gid_t> gid;
  // Ids to give the file when this process may, for ids nobody configured
  // (e.g. the existing file's owner kept on a rewrite): fchown'ed after uid/gid,
  // and a PermissionDenied (a user other than root may not give a file away
  // or pick a group it is not in) is ignored, leaving the file its creator's.
  FileOwner preferred_owner;
  // When set and the existing file's content differs from the new content, the
  // existing content is kept (atomically, mode 0600, same owner options as the
  // file) at this path, e.g.
  // "<path>.bak": written to a temp file first, renamed into place only after
  // the new file is, so a failed write never destroys the last good backup.
  std::string backup_path;
  size_t max_existing_bytes = 16 << 20;  // the most of the existing file read for the backup
  // false skips both fsyncs: the rename is still atomic (old or new content,
  // never a mix), but a power loss may lose the new file. Only for caches whose
  // loss costs nothing but time, like the access-token cache.
  bool durable = true;
};

// The temp-file prefix for `path`: ".<basename>.secretsync-tmp-".
std::string TempPrefix(absl::string_view path);

// Replaces `path` with `content`: creates `.<name>.secretsync-tmp-XXXXXX` in
// the same folder with mode 0600 (never wider, whatever the umask), writes
// everything, fchowns (if uid/gid set; then to preferred_owner, best effort),
// fchmods to opts.mode, fsyncs, closes,
// renames it over `path` and fsyncs the folder. The owner and mode are set
// before the chmod widens access and before the rename, so the file is never
// readable by others than the final owner/group.
// On any error before the rename the temp files are removed and `path` and
// the backup are unchanged (byte-identical, same mode). Failing to replace the
// backup once the new file is in place is not an error (the previous backup
// stays). If only the final folder fsync fails,
// the new file is in place and the error is returned (durability unknown).
// Errors: those of `fs` (PermissionDenied, NotFound for a missing folder, ...).
absl::Status WriteFileAtomically(Filesystem& fs, absl::string_view path,
                                 absl::string_view content, const WriteOptions& opts);
absl::Status WriteFileAtomically(Filesystem& fs, absl::string_view path,
                                 const SecretValue& content, const WriteOptions& opts);

// Deletes leftover `.<basename>.secretsync-tmp-*` files next to `path` (from a
// crashed run). Call it while holding the lock. Errors: listing or unlinking
// fails (a file that vanished meanwhile is fine).
absl::Status RemoveStaleTempFiles(Filesystem& fs, absl::string_view path);

// The content of `path`, or nullopt if it does not exist. FailedPrecondition if
// larger than `max_bytes` or not a regular file; other errors from `fs`.
absl::StatusOr<std::optional<SecretValue>> ReadFileIfExists(Filesystem& fs,
                                                            absl::string_view path,
                                                            size_t max_bytes = 1 << 20);

}  // namespace fileio
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FILEIO_ATOMIC_WRITER_H_

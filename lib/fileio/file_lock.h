// An exclusive lock file serializing concurrent secretsync runs (cron, agent,
// a person) on one output file.
#ifndef SECRETSYNC_LIB_FILEIO_FILE_LOCK_H_
#define SECRETSYNC_LIB_FILEIO_FILE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"

namespace secretsync {
namespace fileio {

// A held lock; released when destroyed (or moved into another FileLock and that
// one destroyed). Move-only; not thread-safe.
class FileLock {
 public:
  explicit FileLock(std::unique_ptr<LockedFile> held) : held_(std::move(held)) {}
  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;
  const std::string& path() const { return held_->path(); }
  // Releases early; idempotent.
  void Release() { held_.reset(); }

 private:
  std::unique_ptr<LockedFile> held_;
};

// How often AcquireLock retries while the lock is held elsewhere.
inline constexpr absl::Duration kLockPollInterval = absl::Milliseconds(100);

// Takes an exclusive flock on `path` (opened read-only; created 0600 if
// missing; given to `owner` when it can be, see Filesystem::TryLock),
// retrying every kLockPollInterval via clock.Sleep until `wait` has passed
// (wait = 0: one try).
// Errors: Unavailable "lock /x/.env.lock is held by another secretsync run
// (waited 30s)"; other errors of fs.TryLock (e.g. PermissionDenied) at once.
absl::StatusOr<FileLock> AcquireLock(Filesystem& fs, Clock& clock, absl::string_view path,
                                     absl::Duration wait, FileOwner owner = {});

}  // namespace fileio
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FILEIO_FILE_LOCK_H_

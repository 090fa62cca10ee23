// AcquireLock: non-blocking flock polled with the Clock seam (testable without sleeping).
#include "lib/fileio/file_lock.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace fileio {

absl::StatusOr<FileLock> AcquireLock(Filesystem& fs, Clock& clock, absl::string_view path,
                                     absl::Duration wait, FileOwner owner) {
  absl::Time deadline = clock.TimeNow() + wait;
  while (true) {
    absl::StatusOr<std::unique_ptr<LockedFile>> held = fs.TryLock(path, owner);
    if (held.ok()) return FileLock(std::move(held).value());
    if (!absl::IsUnavailable(held.status())) return held.status();
    absl::Duration left = deadline - clock.TimeNow();
    if (left <= absl::ZeroDuration()) break;
    clock.Sleep(std::min(left, kLockPollInterval));
  }
  return absl::UnavailableError(absl::StrCat("lock ", path,
                                             " is held by another secretsync run (waited ",
                                             absl::FormatDuration(wait), ")"));
}

}  // namespace fileio
}  // namespace secretsync

// The rotation journal on disk: written (0600, atomic, fsynced) before a
// rotation changes anything, read back on the next start, cleared at the end.
#ifndef SECRETSYNC_LIB_ROTATE_JOURNAL_H_
#define SECRETSYNC_LIB_ROTATE_JOURNAL_H_

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/filesystem.h"
#include "lib/base/secret_value.h"
#include "proto/report.pb.h"
#include "proto/rotation.pb.h"

namespace secretsync {
namespace rotate {

using JournalStep = ::secretsync::v1::RotationJournal::Step;

// A journal is small; anything larger is not one of ours.
inline constexpr size_t kMaxJournalBytes = 64 * 1024;

// One rotation in progress. Move-only (it holds the old and new values).
struct Journal {
  std::string secret_name;
  JournalStep step = ::secretsync::v1::RotationJournal::STEP_UNSPECIFIED;
  SecretValue old_value;
  SecretValue new_value;
  absl::Time started = absl::UnixEpoch();
  absl::Time updated = absl::UnixEpoch();
  ::secretsync::v1::RotationStrategy strategy = ::secretsync::v1::ROTATION_STRATEGY_UNSPECIFIED;
  std::string active_user;
  std::string target_user;
  // From HEALTH_FAILED on: the check that failed (no values in it).
  ::secretsync::v1::HealthReport health;
};

// Replaces `path` with `journal` through fileio::WriteFileAtomically: temp
// file 0600 in the same folder, fsync, rename, folder fsync; the serialized
// bytes are wiped from memory afterwards (best effort). The file is a
// RotationJournalFile (binary protobuf with a SHA-256 of the journal).
// Errors: InvalidArgument (empty secret_name or step unspecified, or the
// serialized journal larger than kMaxJournalBytes); those of
// WriteFileAtomically, after which the previous journal (if any) is unchanged.
absl::Status WriteJournal(Filesystem& fs, absl::string_view path, const Journal& journal);

// The journal at `path`, or nullopt if there is none. Before reading it
// refuses (FailedPrecondition, naming the path and the reason) a path that is
// a symlink or not a regular file, is not owned by `owner_uid`, is group- or
// other-accessible, or is larger than kMaxJournalBytes. A file whose bytes are
// not a complete journal (cut, damaged, another format) is DataLoss. Messages
// never quote the file's bytes. Other errors from `fs`. The checks use lstat
// and the read then opens the path: keep the journal in a folder only its
// owner can write (the state folder, 0700), so it cannot be swapped between.
absl::StatusOr<std::optional<Journal>> ReadJournal(Filesystem& fs, absl::string_view path,
                                                   uid_t owner_uid);

// Removes the journal (a missing one is fine) and fsyncs its folder, so the
// removal survives a crash. Errors: those of Unlink (other than NotFound) and
// SyncDir.
absl::Status ClearJournal(Filesystem& fs, absl::string_view path);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_JOURNAL_H_

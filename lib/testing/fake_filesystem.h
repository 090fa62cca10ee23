// FakeFilesystem: wraps a real Filesystem (on a TEST_TMPDIR folder), records
// every operation in order and fails chosen ones ("fail at step N / fail op X").
#ifndef SECRETSYNC_LIB_TESTING_FAKE_FILESYSTEM_H_
#define SECRETSYNC_LIB_TESTING_FAKE_FILESYSTEM_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/filesystem.h"

namespace secretsync {

// Every call (including those on the WritableFile it hands out) is one step,
// recorded as "<op> <detail>", e.g. "create_temp /t/.env.secretsync-tmp-",
// "write", "chown 1000:1000", "chmod 640" (octal), "sync", "close", "rename /t/a /t/b",
// "sync_dir /t", "read /t/.env", "set_owner_mode /t/.env", "mkdir /t/d", "realpath /t/x", "stat /t/.env", "unlink /t/x", "list_dir /t",
// "lock /t/.env.lock". An injected failure returns its status instead of
// calling the wrapped filesystem. Does not own `base`. Thread-safe.
class FakeFilesystem : public Filesystem {
 public:
  explicit FakeFilesystem(Filesystem& base) : base_(base) {}

  // The step with 0-based index `step` (over all ops) fails with `status`.
  void FailAtStep(int step, absl::Status status);
  // The `occurrence`-th (1-based) call of `op` fails with `status`.
  void FailOp(absl::string_view op, absl::Status status, int occurrence = 1);
  void ClearFailures();

  // The ops so far, in order ("chown 0:0", ...); failed ones included.
  std::vector<std::string> ops() const;
  // Just the op names, in order.
  std::vector<std::string> op_names() const;
  int step_count() const;

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

  // Records a step; returns the injected failure for it, or OK. Public for the
  // WritableFile wrapper.
  absl::Status Step(absl::string_view op, absl::string_view detail);

 private:
  Filesystem& base_;
  mutable absl::Mutex mu_;
  std::vector<std::string> ops_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> op_names_ ABSL_GUARDED_BY(mu_);
  std::map<int, absl::Status> fail_at_step_ ABSL_GUARDED_BY(mu_);
  // (op, occurrence) -> status
  std::map<std::pair<std::string, int>, absl::Status> fail_op_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> op_counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_FAKE_FILESYSTEM_H_

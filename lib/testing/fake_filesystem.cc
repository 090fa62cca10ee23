// FakeFilesystem: recording, failure-injecting wrapper over a real Filesystem.
#include "lib/testing/fake_filesystem.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace secretsync {
namespace {

class FakeWritableFile : public WritableFile {
 public:
  FakeWritableFile(FakeFilesystem& fs, std::unique_ptr<WritableFile> base)
      : fs_(fs), base_(std::move(base)) {}
  const std::string& path() const override { return base_->path(); }
  absl::Status Append(absl::string_view data) override {
    absl::Status s = fs_.Step("write", "");
    if (!s.ok()) return s;
    return base_->Append(data);
  }
  absl::Status Chmod(uint32_t mode) override {
    absl::Status s = fs_.Step("chmod", absl::StrFormat("%o", mode));
    if (!s.ok()) return s;
    return base_->Chmod(mode);
  }
  absl::Status Chown(uid_t uid, gid_t gid) override {
    absl::Status s = fs_.Step("chown", absl::StrCat(static_cast<int>(uid), ":",
                                                    static_cast<int>(gid)));
    if (!s.ok()) return s;
    return base_->Chown(uid, gid);
  }
  absl::Status Sync() override {
    absl::Status s = fs_.Step("sync", "");
    if (!s.ok()) return s;
    return base_->Sync();
  }
  absl::Status Close() override {
    absl::Status s = fs_.Step("close", "");
    if (!s.ok()) return s;
    return base_->Close();
  }

 private:
  FakeFilesystem& fs_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

void FakeFilesystem::FailAtStep(int step, absl::Status status) {
  absl::MutexLock l(&mu_);
  fail_at_step_[step] = std::move(status);
}

void FakeFilesystem::FailOp(absl::string_view op, absl::Status status, int occurrence) {
  absl::MutexLock l(&mu_);
  fail_op_[{std::string(op), occurrence}] = std::move(status);
}

void FakeFilesystem::ClearFailures() {
  absl::MutexLock l(&mu_);
  fail_at_step_.clear();
  fail_op_.clear();
}

std::vector<std::string> FakeFilesystem::ops() const {
  absl::MutexLock l(&mu_);
  return ops_;
}

std::vector<std::string> FakeFilesystem::op_names() const {
  absl::MutexLock l(&mu_);
  return op_names_;
}

int FakeFilesystem::step_count() const {
  absl::MutexLock l(&mu_);
  return static_cast<int>(ops_.size());
}

absl::Status FakeFilesystem::Step(absl::string_view op, absl::string_view detail) {
  absl::MutexLock l(&mu_);
  int step = static_cast<int>(ops_.size());
  ops_.push_back(detail.empty() ? std::string(op) : absl::StrCat(op, " ", detail));
  op_names_.emplace_back(op);
  int occurrence = ++op_counts_[std::string(op)];
  auto by_step = fail_at_step_.find(step);
  if (by_step != fail_at_step_.end()) return by_step->second;
  auto by_op = fail_op_.find({std::string(op), occurrence});
  if (by_op != fail_op_.end()) return by_op->second;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WritableFile>> FakeFilesystem::CreateTempFile(
    absl::string_view dir, absl::string_view prefix) {
  absl::Status s = Step("create_temp", JoinPath(dir, prefix));
  if (!s.ok()) return s;
  absl::StatusOr<std::unique_ptr<WritableFile>> file = base_.CreateTempFile(dir, prefix);
  if (!file.ok()) return file.status();
  return std::unique_ptr<WritableFile>(
      std::make_unique<FakeWritableFile>(*this, std::move(file).value()));
}

absl::Status FakeFilesystem::Rename(absl::string_view from, absl::string_view to) {
  absl::Status s = Step("rename", absl::StrCat(from, " ", to));
  if (!s.ok()) return s;
  return base_.Rename(from, to);
}

absl::Status FakeFilesystem::SyncDir(absl::string_view dir) {
  absl::Status s = Step("sync_dir", dir);
  if (!s.ok()) return s;
  return base_.SyncDir(dir);
}

absl::StatusOr<std::string> FakeFilesystem::ReadFile(absl::string_view path, size_t max_bytes,
                                                     Symlinks links) {
  absl::Status s = Step("read", path);
  if (!s.ok()) return s;
  return base_.ReadFile(path, max_bytes, links);
}

absl::Status FakeFilesystem::SetOwnerAndMode(absl::string_view path, uid_t uid, gid_t gid,
                                             uint32_t mode) {
  absl::Status s = Step("set_owner_mode", path);
  if (!s.ok()) return s;
  return base_.SetOwnerAndMode(path, uid, gid, mode);
}

absl::Status FakeFilesystem::MakeDir(absl::string_view path, uint32_t mode) {
  absl::Status s = Step("mkdir", path);
  if (!s.ok()) return s;
  return base_.MakeDir(path, mode);
}

absl::StatusOr<std::string> FakeFilesystem::RealPath(absl::string_view path) {
  absl::Status s = Step("realpath", path);
  if (!s.ok()) return s;
  return base_.RealPath(path);
}

absl::StatusOr<FileInfo> FakeFilesystem::Stat(absl::string_view path) {
  absl::Status s = Step("stat", path);
  if (!s.ok()) return s;
  return base_.Stat(path);
}

absl::Status FakeFilesystem::Unlink(absl::string_view path) {
  absl::Status s = Step("unlink", path);
  if (!s.ok()) return s;
  return base_.Unlink(path);
}

absl::StatusOr<std::vector<std::string>> FakeFilesystem::ListDir(absl::string_view dir) {
  absl::Status s = Step("list_dir", dir);
  if (!s.ok()) return s;
  return base_.ListDir(dir);
}

absl::StatusOr<std::unique_ptr<LockedFile>> FakeFilesystem::TryLock(absl::string_view path,
                                                                    FileOwner owner) {
  absl::Status s = Step("lock", path);
  if (!s.ok()) return s;
  return base_.TryLock(path, owner);
}

}  // namespace secretsync

// RealFilesystem: the Filesystem seam on POSIX system calls.
#include "lib/base/filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace {

absl::Status ErrnoError(int err, absl::string_view op, absl::string_view path) {
  return absl::ErrnoToStatus(err, absl::StrCat(op, " ", path));
}

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  const std::string& path() const override { return path_; }

  absl::Status Append(absl::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(errno, "write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::Status Chmod(uint32_t mode) override {
    if (::fchmod(fd_, static_cast<mode_t>(mode)) != 0) return ErrnoError(errno, "fchmod", path_);
    return absl::OkStatus();
  }

  absl::Status Chown(uid_t uid, gid_t gid) override {
    if (::fchown(fd_, uid, gid) != 0) return ErrnoError(errno, "fchown", path_);
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (::fsync(fd_) != 0) return ErrnoError(errno, "fsync", path_);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    int fd = fd_;
    fd_ = -1;
    // close(2) must not be retried on EINTR on Linux: the descriptor is gone.
    if (::close(fd) != 0 && errno != EINTR) return ErrnoError(errno, "close", path_);
    return absl::OkStatus();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixLockedFile : public LockedFile {
 public:
  PosixLockedFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixLockedFile() override { ::close(fd_); }  // releases the flock
  const std::string& path() const override { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<WritableFile>> RealFilesystem::CreateTempFile(
    absl::string_view dir, absl::string_view prefix) {
  std::string path = absl::StrCat(JoinPath(dir, prefix), "XXXXXX");
  // mkostemp opens with O_CREAT|O_EXCL and mode 0600 (narrowed further by the
  // umask, never widened); fchmod then pins exactly 0600.
  int fd = ::mkostemp(&path[0], O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "create temp file in", dir);
  auto file = std::make_unique<PosixWritableFile>(fd, path);
  if (::fchmod(fd, 0600) != 0) {
    absl::Status s = ErrnoError(errno, "fchmod", path);
    file.reset();
    ::unlink(path.c_str());
    return s;
  }
  return std::unique_ptr<WritableFile>(std::move(file));
}

absl::Status RealFilesystem::Rename(absl::string_view from, absl::string_view to) {
  std::string f(from), t(to);
  if (::rename(f.c_str(), t.c_str()) != 0) {
    return ErrnoError(errno, "rename", absl::StrCat(from, " to ", to));
  }
  return absl::OkStatus();
}

absl::Status RealFilesystem::SyncDir(absl::string_view dir) {
  std::string d(dir);
  int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "open folder", dir);
  absl::Cleanup closer = [fd] { ::close(fd); };
  if (::fsync(fd) != 0) return ErrnoError(errno, "fsync folder", dir);
  return absl::OkStatus();
}

namespace {

// Opens `path` for reading without following a final symbolic link and
// without blocking (a FIFO would otherwise hang the caller), and checks that
// it is a regular file. Returns the descriptor and its stat.
absl::StatusOr<int> OpenRegularFile(const std::string& path, Symlinks links, struct stat* st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
                                    (links == Symlinks::kRefuse ? O_NOFOLLOW : 0));
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " is a symbolic link: secretsync does not follow links for this file"));
    }
    return ErrnoError(err, "open", path);
  }
  if (::fstat(fd, st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError(err, "stat", path);
  }
  if (!S_ISREG(st->st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file (a folder, FIFO, socket or device)"));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::string> RealFilesystem::ReadFile(absl::string_view path, size_t max_bytes,
                                                     Symlinks links) {
  std::string p(path);
  struct stat st;
  absl::StatusOr<int> opened = OpenRegularFile(p, links, &st);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  absl::Cleanup closer = [fd] { ::close(fd); };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("read ", path, ": file is larger than ", max_bytes, " bytes"));
  }
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return absl::FailedPreconditionError(
          absl::StrCat("read ", path, ": file is larger than ", max_bytes, " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status RealFilesystem::SetOwnerAndMode(absl::string_view path, uid_t uid, gid_t gid,
                                             uint32_t mode) {
  std::string p(path);
  struct stat st;
  absl::StatusOr<int> opened = OpenRegularFile(p, Symlinks::kRefuse, &st);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  absl::Cleanup closer = [fd] { ::close(fd); };
  // Owner first: chown clears set-id bits, and the mode then never grants a
  // group it was not meant for.
  if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) &&
      ::fchown(fd, uid, gid) != 0) {
    return ErrnoError(errno, "fchown", path);
  }
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return ErrnoError(errno, "fchmod", path);
  return absl::OkStatus();
}

absl::Status RealFilesystem::MakeDir(absl::string_view path, uint32_t mode) {
  std::string p(path);
  if (::mkdir(p.c_str(), static_cast<mode_t>(mode)) != 0) return ErrnoError(errno, "mkdir", path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> RealFilesystem::RealPath(absl::string_view path) {
  std::string p(path);
  char* resolved = ::realpath(p.c_str(), nullptr);
  if (resolved == nullptr) return ErrnoError(errno, "resolve", path);
  std::string out(resolved);
  ::free(resolved);
  return out;
}

absl::StatusOr<FileInfo> RealFilesystem::Stat(absl::string_view path) {
  std::string p(path);
  struct stat st;
  FileInfo info;
  if (::lstat(p.c_str(), &st) != 0) {
    if (errno == ENOENT) return info;
    return ErrnoError(errno, "stat", path);
  }
  info.exists = true;
  info.is_regular = S_ISREG(st.st_mode);
  info.mode = static_cast<uint32_t>(st.st_mode & 07777);
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<uint64_t>(st.st_size);
  info.is_symlink = S_ISLNK(st.st_mode);
  info.is_dir = S_ISDIR(st.st_mode);
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  return info;
}

absl::Status RealFilesystem::Unlink(absl::string_view path) {
  std::string p(path);
  if (::unlink(p.c_str()) != 0) return ErrnoError(errno, "unlink", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> RealFilesystem::ListDir(absl::string_view dir) {
  std::string d(dir);
  DIR* handle = ::opendir(d.c_str());
  if (handle == nullptr) return ErrnoError(errno, "list folder", dir);
  absl::Cleanup closer = [handle] { ::closedir(handle); };
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    struct dirent* entry = ::readdir(handle);
    if (entry == nullptr) {
      if (errno != 0) return ErrnoError(errno, "list folder", dir);
      break;
    }
    absl::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  return names;
}

absl::StatusOr<std::unique_ptr<LockedFile>> RealFilesystem::TryLock(absl::string_view path,
                                                                    FileOwner owner) {
  std::string p(path);
  int fd = ::open(p.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
                  0600);
  if (fd < 0) return ErrnoError(errno, "open lock file", path);
  auto held = std::make_unique<PosixLockedFile>(fd, p);  // closes fd on every return
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(errno, "stat lock file", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("lock file ", path, " is not a regular file (a folder, FIFO or device)"));
  }
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat("lock ", path, ": held by another process"));
    }
    return ErrnoError(errno, "flock", path);
  }
  // One link only: a hard link to another file planted under the lock's name
  // must not make root hand that file over.
  const bool other_uid = owner.uid != static_cast<uid_t>(-1) && owner.uid != st.st_uid;
  const bool other_gid = owner.gid != static_cast<gid_t>(-1) && owner.gid != st.st_gid;
  if ((other_uid || other_gid) && st.st_nlink == 1 &&
      ::fchown(fd, other_uid ? owner.uid : static_cast<uid_t>(-1),
               other_gid ? owner.gid : static_cast<gid_t>(-1)) != 0) {
    // Best effort: a user other than root may not give files away.
  }
  return std::unique_ptr<LockedFile>(std::move(held));
}

std::string DirName(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string BaseName(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return std::string(path);
  return std::string(path.substr(slash + 1));
}

std::string JoinPath(absl::string_view dir, absl::string_view name) {
  if (dir.empty()) return std::string(name);
  if (dir.back() == '/') return absl::StrCat(dir, name);
  return absl::StrCat(dir, "/", name);
}

}  // namespace secretsync

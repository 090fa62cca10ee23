// ReadCredential (see credential_source.h). Plain POSIX reads: the check on
// the open descriptor's mode and owner (fstat) avoids a stat/open race, which
// the Filesystem seam's ReadFile (no owner/mode) cannot.
#include "lib/auth/credential_source.h"

#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"

namespace secretsync {
namespace auth {
namespace {

constexpr size_t kMaxCredentialBytes = 64 * 1024;

void TrimOneNewline(std::string* s) {
  if (absl::EndsWith(*s, "\r\n")) {
    s->resize(s->size() - 2);
  } else if (absl::EndsWith(*s, "\n")) {
    s->resize(s->size() - 1);
  }
}

absl::Status ConfigError(std::string message) {
  return WithExitCode(absl::FailedPreconditionError(std::move(message)), kExitConfig);
}

// "alice", or "uid 1000" when the user database has no name for it.
std::string UserName(uid_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return absl::StrCat("uid ", uid);
}

// Reads a credential file without following a symbolic link in its last
// component (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK; then
// fstat on the open descriptor, so no stat/open race).
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path, absl::string_view field) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(field, ": credential file ", path, " not found"));
    }
    if (err == ELOOP) {
      return ConfigError(absl::StrCat(field, ": credential file ", path,
                                      " is a symbolic link, which is refused: name the file itself"));
    }
    if (err == EACCES) {
      return absl::PermissionDeniedError(
          absl::StrCat(field, ": cannot read credential file ", path, ": permission denied"));
    }
    return WithExitCode(absl::InternalError(absl::StrCat(
                            field, ": cannot open credential file ", path, ": errno ", err)),
                        kExitIoErr);
  }
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return ConfigError(absl::StrCat(field, ": credential file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return ConfigError(absl::StrCat(field, ": credential file ", path,
                                    " is accessible by group or others: run chmod 600 ", path));
  }
  absl::Status owned =
      CheckRunningUserOwns(st.st_uid, absl::StrCat(field, ": credential file ", path), path);
  if (!owned.ok()) return owned;
  if (st.st_size > static_cast<off_t>(kMaxCredentialBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": credential file ", path, " is larger than 64 KiB"));
  }
  std::string out;
  // One allocation: growing would free unwiped copies of the secret.
  out.reserve(kMaxCredentialBytes + 1);
  char buf[4096];
  absl::Cleanup wipe_buf = [&buf] { explicit_bzero(buf, sizeof(buf)); };
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      WipeString(out);
      return WithExitCode(absl::InternalError(absl::StrCat(
                              field, ": cannot read credential file ", path, ": errno ", err)),
                          kExitIoErr);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > kMaxCredentialBytes) {
      WipeString(out);
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": credential file ", path, " is larger than 64 KiB"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

absl::Status CheckRunningUserOwns(uid_t owner, absl::string_view what, absl::string_view path) {
  if (owner == geteuid()) return absl::OkStatus();
  return ConfigError(absl::StrCat(what, " belongs to ", UserName(owner),
                                  ", not to the running user ", UserName(geteuid()),
                                  ": run chown ", UserName(geteuid()), " ", path));
}

absl::StatusOr<SecretValue> ReadCredential(const v1::CredentialSource& source,
                                           absl::string_view field, const Environment& env) {
  std::string bytes;
  std::string where;
  switch (source.source_case()) {
    case v1::CredentialSource::kEnv: {
      std::optional<std::string> value = env.Get(source.env());
      if (!value.has_value()) {
        // The deployment (unit, cron line, env file) does not provide it: a
        // config problem, not a missing input file.
        return ConfigError(
            absl::StrCat(field, ": environment variable ", source.env(), " is not set"));
      }
      bytes = std::move(*value);
      where = absl::StrCat("environment variable ", source.env());
      break;
    }
    case v1::CredentialSource::kFile: {
      auto read = ReadPrivateFile(source.file(), field);
      if (!read.ok()) return read.status();
      bytes = std::move(*read);
      where = absl::StrCat("credential file ", source.file());
      break;
    }
    case v1::CredentialSource::kSystemdCredential: {
      const std::string& name = source.systemd_credential();
      if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
        return ConfigError(
            absl::StrCat(field, ": systemd credential name '", name, "' is not a plain name"));
      }
      std::optional<std::string> dir = env.Get("CREDENTIALS_DIRECTORY");
      if (!dir.has_value() || dir->empty()) {
        return ConfigError(
            absl::StrCat(field, ": systemd credential ", name,
                         ": CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)"));
      }
      std::string path = absl::StrCat(*dir, "/", name);
      auto read = ReadPrivateFile(path, field);
      if (!read.ok()) return read.status();
      bytes = std::move(*read);
      where = absl::StrCat("systemd credential ", name);
      break;
    }
    case v1::CredentialSource::SOURCE_NOT_SET:
      return ConfigError(
          absl::StrCat(field, ": no credential source (set env, file or systemd_credential)"));
  }
  TrimOneNewline(&bytes);
  SecretValue value(std::move(bytes));
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", where, " is empty"));
  }
  return value;
}

}  // namespace auth
}  // namespace secretsync

// ReadCredential (see credential_source.h). Plain POSIX reads: the check on
// the open descriptor's mode (fstat) avoids a stat/open race.
#include "lib/auth/credential_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

absl::StatusOr<std::string> ReadPrivateFile(const std::string& path, absl::string_view field) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(field, ": credential file ", path, " not found"));
    }
    if (err == EACCES) {
      return absl::PermissionDeniedError(
          absl::StrCat(field, ": cannot read credential file ", path, ": permission denied"));
    }
    return absl::InternalError(absl::StrCat(field, ": cannot open credential file ", path,
                                            ": errno ", err));
  }
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": credential file ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": credential file ", path,
                     " is accessible by group or others: run chmod 600 ", path));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::InternalError(
          absl::StrCat(field, ": cannot read credential file ", path, ": errno ", errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxCredentialBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": credential file ", path, " is larger than 64 KiB"));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<SecretValue> ReadCredential(const v1::CredentialSource& source,
                                           absl::string_view field, const Environment& env) {
  std::string bytes;
  std::string where;
  switch (source.source_case()) {
    case v1::CredentialSource::kEnv: {
      std::optional<std::string> value = env.Get(source.env());
      if (!value.has_value()) {
        return absl::NotFoundError(
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
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": systemd credential name '", name, "' is not a plain name"));
      }
      std::optional<std::string> dir = env.Get("CREDENTIALS_DIRECTORY");
      if (!dir.has_value() || dir->empty()) {
        return absl::FailedPreconditionError(
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
      return absl::FailedPreconditionError(
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

// TokenCache (see token_cache.h). Hand-written POSIX file code: lib/fileio is
// for rendered outputs (owner, backups); this needs only open/write/rename.
#include "lib/auth/token_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/infisical/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace auth {
namespace {

constexpr size_t kMaxCacheBytes = 64 * 1024;

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::InternalError(absl::StrCat("write token cache ", path, ": errno ", errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

TokenCache::TokenCache(std::string path, std::string site_url, std::string client_id,
                       LogSink& log)
    : path_(std::move(path)),
      site_url_(std::move(site_url)),
      client_id_(std::move(client_id)),
      log_(log) {}

std::optional<CachedToken> TokenCache::Load() const {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT) {
      log_.Warn("auth.token_cache_ignored").Field("path", path_).Field("reason", "unreadable");
    }
    return std::nullopt;
  }
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 077) != 0) {
    log_.Warn("auth.token_cache_ignored")
        .Field("path", path_)
        .Field("reason", "not a private file of this user (want chmod 600)");
    return std::nullopt;
  }
  std::string json;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || json.size() > kMaxCacheBytes) break;
    json.append(buf, static_cast<size_t>(n));
  }
  v1::CachedAccessToken entry;
  if (!infisical::ParseJsonReply(json, "token cache", &entry).ok() ||
      entry.access_token().empty()) {
    log_.Warn("auth.token_cache_ignored").Field("path", path_).Field("reason", "malformed");
    return std::nullopt;
  }
  if (entry.site_url() != site_url_ || entry.client_id() != client_id_) {
    log_.Info("auth.token_cache_ignored").Field("path", path_).Field("reason", "other identity");
    return std::nullopt;
  }
  CachedToken out;
  out.token = SecretValue(std::move(*entry.mutable_access_token()));
  out.issued_at = absl::FromUnixSeconds(entry.issued_at());
  out.ttl = absl::Seconds(entry.ttl_seconds());
  out.max_expires_at = entry.max_expires_at() == 0 ? absl::InfiniteFuture()
                                                   : absl::FromUnixSeconds(entry.max_expires_at());
  return out;
}

absl::Status TokenCache::Store(const CachedToken& token) const {
  v1::CachedAccessToken entry;
  entry.set_site_url(site_url_);
  entry.set_client_id(client_id_);
  entry.set_access_token(std::string(token.token.Expose()));
  entry.set_issued_at(absl::ToUnixSeconds(token.issued_at));
  entry.set_ttl_seconds(absl::ToInt64Seconds(token.ttl));
  entry.set_max_expires_at(token.max_expires_at == absl::InfiniteFuture()
                               ? 0
                               : absl::ToUnixSeconds(token.max_expires_at));
  auto json = infisical::ToJsonBody(entry);
  if (!json.ok()) return json.status();

  std::string temp = absl::StrCat(path_, ".tmp.", getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EACCES) {
      return absl::PermissionDeniedError(
          absl::StrCat("write token cache ", path_, ": permission denied"));
    }
    return absl::InternalError(absl::StrCat("write token cache ", path_, ": errno ", err));
  }
  bool renamed = false;
  absl::Cleanup cleanup = [&] {
    if (fd >= 0) close(fd);
    if (!renamed) unlink(temp.c_str());
  };
  // The umask may have narrowed it further, never widened; make it exact.
  if (fchmod(fd, 0600) != 0) {
    return absl::InternalError(absl::StrCat("chmod token cache ", path_, ": errno ", errno));
  }
  absl::Status written = WriteAll(fd, *json, path_);
  if (!written.ok()) return written;
  if (fsync(fd) != 0) {
    return absl::InternalError(absl::StrCat("fsync token cache ", path_, ": errno ", errno));
  }
  int closed = close(fd);
  fd = -1;
  if (closed != 0) {
    return absl::InternalError(absl::StrCat("close token cache ", path_, ": errno ", errno));
  }
  if (rename(temp.c_str(), path_.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("rename token cache ", path_, ": errno ", errno));
  }
  renamed = true;
  int dir = open(Dirname(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);  // best effort: a lost cache only costs one login
    close(dir);
  }
  return absl::OkStatus();
}

void TokenCache::Clear() const { unlink(path_.c_str()); }

}  // namespace auth
}  // namespace secretsync

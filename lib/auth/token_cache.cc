// TokenCache (see token_cache.h): a 0600 JSON file replaced atomically through
// lib/fileio; a torn or lost cache is ignored and costs one login.
#include "lib/auth/token_cache.h"

#include "lib/base/filesystem.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace auth {
namespace {

constexpr size_t kMaxCacheBytes = 64 * 1024;

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
  if (!http::ParseJsonReply(json, "token cache", &entry).ok() ||
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
  auto json = http::ToJsonBody(entry);
  if (!json.ok()) return json.status();

  // The same atomic path as the .env (temp file created 0600, rename), minus
  // the fsyncs. Temp files of a run killed mid-write are
  // removed first; a lost cache only costs one login.
  static RealFilesystem* const fs = new RealFilesystem;
  absl::Status cleaned = fileio::RemoveStaleTempFiles(*fs, path_);
  if (!cleaned.ok()) log_.Warn("auth.token_cache_cleanup").Field("why", cleaned.message());
  SecretValue content(std::move(*json));
  fileio::WriteOptions options;
  options.durable = false;  // losing the cache costs one login, not worth two fsyncs
  return Annotate(fileio::WriteFileAtomically(*fs, path_, content, options), "write token cache");
}

void TokenCache::Clear() const { unlink(path_.c_str()); }

}  // namespace auth
}  // namespace secretsync

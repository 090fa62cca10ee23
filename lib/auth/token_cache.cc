// TokenCache (see token_cache.h): a 0600 JSON file replaced atomically through
// lib/fileio; a torn, lost or refused cache is ignored and costs one login.
#include "lib/auth/token_cache.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/base/filesystem.h"
#include "lib/base/sha256.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace auth {
namespace {

constexpr size_t kMaxCacheBytes = 64 * 1024;

// SHA-256 of the length-prefixed credentials, so no two different triples
// hash the same input.
std::string CredentialsSha256(absl::string_view api_url, absl::string_view client_id,
                              const SecretValue& client_secret) {
  SecretValue input(absl::StrCat(api_url.size(), ":", api_url, client_id.size(), ":", client_id,
                                 client_secret.size(), ":", client_secret.Expose()));
  return Sha256Hex(input);
}

// Reads the cache file: a regular file of this user, private, at most
// kMaxCacheBytes. O_NOFOLLOW refuses a symbolic link and O_NONBLOCK keeps a
// FIFO from blocking the open; the checks run on the open descriptor. The
// reason for nullopt goes to `why` ("" when the file is simply missing).
std::optional<SecretValue> ReadPrivateFile(const std::string& path, std::string* why) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      *why = "";
    } else if (err == ELOOP) {
      *why = "a symbolic link (remove it)";
    } else {
      *why = absl::StrCat("unreadable (errno ", err, ")");
    }
    return std::nullopt;
  }
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "not a regular file (remove it)";
    return std::nullopt;
  }
  if (st.st_uid != geteuid()) {
    *why = absl::StrCat("owned by uid ", st.st_uid, ", not by the running user (remove it)");
    return std::nullopt;
  }
  if ((st.st_mode & 077) != 0) {
    *why = "accessible by group or others (want chmod 600)";
    return std::nullopt;
  }
  if (st.st_size > static_cast<off_t>(kMaxCacheBytes)) {
    *why = "larger than 64 KiB";
    return std::nullopt;
  }
  std::string json;
  json.reserve(kMaxCacheBytes + 1);  // one allocation: no unwiped copies
  char buf[4096];
  absl::Cleanup wipe_buf = [&buf] { explicit_bzero(buf, sizeof(buf)); };
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (json.size() + static_cast<size_t>(n) > kMaxCacheBytes) {
      WipeString(json);
      *why = "larger than 64 KiB";
      return std::nullopt;
    }
    json.append(buf, static_cast<size_t>(n));
  }
  return SecretValue(std::move(json));
}

}  // namespace

TokenCache::TokenCache(std::string path, std::string api_url, std::string client_id,
                       const SecretValue& client_secret, LogSink& log, bool read_only)
    : path_(std::move(path)),
      api_url_(std::move(api_url)),
      client_id_(std::move(client_id)),
      credentials_sha256_(CredentialsSha256(api_url_, client_id_, client_secret)),
      log_(log),
      read_only_(read_only) {}

absl::Status TokenCache::CheckFolder(bool create) const {
  // stat, not lstat: the folder may be reached through a link (systemd's
  // StateDirectory= with DynamicUser=); what must be private is the folder
  // the file lands in.
  const std::string dir = DirName(path_);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    int err = errno;
    if (err != ENOENT || !create) {
      return absl::NotFoundError(absl::StrCat("token cache folder ", dir, ": cannot stat (errno ",
                                              err, ")"));
    }
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::NotFoundError(absl::StrCat("token cache folder ", dir,
                                              ": cannot create it (errno ", errno,
                                              "); create it with mode 0700"));
    }
    log_.Info("auth.token_cache_folder_created").Field("path", dir).Field("mode", "0700");
    if (stat(dir.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat("token cache folder ", dir, ": cannot stat"));
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("token cache folder ", dir, ": not a folder"));
  }
  if (st.st_uid != geteuid()) {
    return absl::FailedPreconditionError(
        absl::StrCat("token cache folder ", dir, ": owned by uid ", st.st_uid,
                     ", not by the running user (uid ", geteuid(), "): chown it"));
  }
  if ((st.st_mode & 022) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "token cache folder ", dir, ": writable by group or others: run chmod 700 ", dir));
  }
  return absl::OkStatus();
}

std::optional<CachedToken> TokenCache::Load() const {
  absl::Status folder = CheckFolder(/*create=*/false);
  if (!folder.ok()) {
    // A missing folder is a first run: nothing to warn about.
    if (!absl::IsNotFound(folder)) {
      log_.Warn("auth.token_cache_ignored").Field("path", path_).Field("reason", folder.message());
    }
    return std::nullopt;
  }
  std::string why;
  std::optional<SecretValue> json = ReadPrivateFile(path_, &why);
  if (!json.has_value()) {
    if (!why.empty()) {
      log_.Warn("auth.token_cache_ignored").Field("path", path_).Field("reason", why);
    }
    return std::nullopt;
  }
  v1::CachedAccessToken entry;
  if (!http::ParseJsonReply(json->Expose(), "token cache", &entry).ok() ||
      entry.access_token().empty()) {
    WipeString(*entry.mutable_access_token());
    log_.Warn("auth.token_cache_ignored").Field("path", path_).Field("reason", "malformed");
    return std::nullopt;
  }
  if (entry.credentials_sha256() != credentials_sha256_) {
    WipeString(*entry.mutable_access_token());
    log_.Info("auth.token_cache_ignored")
        .Field("path", path_)
        .Field("reason", "written for other credentials (site, client id or client secret)");
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
  if (read_only_) return absl::OkStatus();
  SS_RETURN_IF_ERROR(Annotate(CheckFolder(/*create=*/true), "write token cache"));
  v1::CachedAccessToken entry;
  entry.set_site_url(api_url_);
  entry.set_client_id(client_id_);
  entry.set_credentials_sha256(credentials_sha256_);
  entry.set_access_token(std::string(token.token.Expose()));
  entry.set_issued_at(absl::ToUnixSeconds(token.issued_at));
  entry.set_ttl_seconds(absl::ToInt64Seconds(token.ttl));
  entry.set_max_expires_at(token.max_expires_at == absl::InfiniteFuture()
                               ? 0
                               : absl::ToUnixSeconds(token.max_expires_at));
  auto json = http::ToJsonBody(entry);
  WipeString(*entry.mutable_access_token());
  if (!json.ok()) return json.status();
  SecretValue content(std::move(*json));

  // The same atomic path as the .env (temp file created 0600, rename), minus
  // the fsyncs. Temp files of a run killed mid-write are
  // removed first; a lost cache only costs one login.
  static RealFilesystem* const fs = new RealFilesystem;
  absl::Status cleaned = fileio::RemoveStaleTempFiles(*fs, path_);
  if (!cleaned.ok()) log_.Warn("auth.token_cache_cleanup").Field("why", cleaned.message());
  fileio::WriteOptions options;
  options.durable = false;  // losing the cache costs one login, not worth two fsyncs
  return Annotate(fileio::WriteFileAtomically(*fs, path_, content, options), "write token cache");
}

void TokenCache::Clear() const {
  if (!read_only_) unlink(path_.c_str());
}

}  // namespace auth
}  // namespace secretsync

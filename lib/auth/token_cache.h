// TokenCache: an optional 0600 file holding the Universal Auth access token,
// so a cron run reuses it (no login round trip) until it needs renewing.
#ifndef SECRETSYNC_LIB_AUTH_TOKEN_CACHE_H_
#define SECRETSYNC_LIB_AUTH_TOKEN_CACHE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/base/log.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace auth {

// An access token and its lifetime as the server stated it.
struct CachedToken {
  SecretValue token;
  absl::Time issued_at;                                // last login or renew
  absl::Duration ttl = absl::ZeroDuration();           // zero = never expires
  absl::Time max_expires_at = absl::InfiniteFuture();  // from login + max TTL
};

// The file is JSON (proto CachedAccessToken) keyed by the credentials it came
// from: it stores the SHA-256 of the API URL, client id and client secret
// (length-prefixed), and an entry written for other credentials (another
// site, identity, or a changed or wrong client secret) is ignored, which
// costs one login. The hash of a high-entropy client secret reveals nothing
// usable, and the file holds the token itself anyway.
//
// Safety: the folder must be a folder owned by the running user and not
// writable by group or others (else another user could swap the file); Store
// creates it 0700 when it is missing (its parent must exist), e.g.
// /var/lib/secretsync for cron and manual runs. The file must be a regular
// file (opened with O_NOFOLLOW|O_NONBLOCK: a symbolic link or FIFO is refused
// without blocking) owned by the running user and private (0600). Load()
// ignores, with a warning naming the path and the fix, a file or folder that
// fails these checks; Store() refuses to write there. Store() writes a 0600
// temp file in the same folder and renames it over the old one, so readers
// never see a partial file. Thread-compatible. Holds `log` by reference.
class TokenCache {
 public:
  // `client_secret` is only hashed, not kept. A `read_only` cache loads as
  // usual but never writes or removes its file (Store and Clear do nothing).
  TokenCache(std::string path, std::string api_url, std::string client_id,
             const SecretValue& client_secret, LogSink& log, bool read_only = false);

  // The cached token, or nullopt when the file is missing, unsafe, malformed
  // or for other credentials (all but "missing" log a warning naming the file,
  // never its content).
  std::optional<CachedToken> Load() const;

  // Replaces the file, creating its folder 0700 if missing. Errors:
  // FailedPrecondition naming the folder and the fix when it is unsafe (not a
  // folder, another user's, writable by group/others); NotFound when the
  // folder's parent is missing; Internal/PermissionDenied naming the file. On
  // error the old file is unchanged and no temp file is left.
  absl::Status Store(const CachedToken& entry) const;

  // Removes the file; a missing file is fine.
  void Clear() const;

  const std::string& path() const { return path_; }

 private:
  // OK when the folder of path_ is safe (see above); with `create`, makes it
  // 0700 first when it is missing.
  absl::Status CheckFolder(bool create) const;

  std::string path_;
  std::string api_url_;
  std::string client_id_;
  std::string credentials_sha256_;
  Logger log_;
  bool read_only_;
};

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_TOKEN_CACHE_H_

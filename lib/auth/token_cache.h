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

// The file is JSON (proto CachedAccessToken) keyed by site URL and client id:
// an entry written for another site or identity is ignored. Load() ignores,
// with a warning, a file that is not owned by this user or is accessible by
// group or others. Store() writes a 0600 temp file in the same folder, fsyncs
// it and renames it over the old one, so readers never see a partial file.
// Thread-compatible. Holds `log` by reference.
class TokenCache {
 public:
  TokenCache(std::string path, std::string site_url, std::string client_id, LogSink& log);

  // The cached token, or nullopt when the file is missing, unsafe, malformed
  // or for another key (all but "missing" log a warning naming the file).
  std::optional<CachedToken> Load() const;

  // Replaces the file. Errors: Internal/PermissionDenied naming the file; on
  // error the old file is unchanged and no temp file is left.
  absl::Status Store(const CachedToken& entry) const;

  // Removes the file; a missing file is fine.
  void Clear() const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string site_url_;
  std::string client_id_;
  Logger log_;
};

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_TOKEN_CACHE_H_

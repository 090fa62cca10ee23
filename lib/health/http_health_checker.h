// HttpHealthChecker: GET a URL with libcurl and compare the status (and
// optionally a body substring) with what the config expects.
#ifndef SECRETSYNC_LIB_HEALTH_HTTP_HEALTH_CHECKER_H_
#define SECRETSYNC_LIB_HEALTH_HTTP_HEALTH_CHECKER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

#include "lib/health/health_checker.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace health {

// The most of a reply body read; a longer reply is unhealthy ("reply larger
// than 65536 bytes"), as a health endpoint never needs more.
inline constexpr size_t kMaxHealthBodyBytes = 64 * 1024;

// `url` with any user:password@ in its authority shown as ***@: the check's
// label goes into logs, reports and rotate's journal, and a URL may carry
// basic-auth credentials (curl still uses them).
std::string UrlWithoutCredentials(absl::string_view url);

// Each attempt is a fresh GET (no keep-alive between attempts, so a restarted
// application is reached on its new socket) with the attempt's timeout as
// both connect and total timeout, redirects not followed, TLS verified
// against `ca_bundle` (or the system store) unless insecure_skip_verify. The
// body is compared in memory and wiped; it is never logged nor reported.
// Thread-compatible.
class HttpHealthChecker : public HealthChecker {
 public:
  explicit HttpHealthChecker(v1::HttpHealthCheck config);
  std::string Label() const override;
  AttemptResult Attempt(absl::Duration timeout) override;

 private:
  v1::HttpHealthCheck config_;
};

}  // namespace health
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HEALTH_HTTP_HEALTH_CHECKER_H_

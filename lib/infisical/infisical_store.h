// Builds the configured Infisical SecretStore (transport, retries, auth,
// client) from a DeploymentConfig. What main() and the commands call.
#ifndef SECRETSYNC_LIB_INFISICAL_INFISICAL_STORE_H_
#define SECRETSYNC_LIB_INFISICAL_INFISICAL_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/base/environment.h"
#include "lib/base/http_transport.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/http/curl_http_transport.h"
#include "lib/http/retrying_http_transport.h"
#include "lib/infisical/secret_store.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace infisical {

// "https://host" or "https://host/api/" -> "https://host/api". Only http and
// https; plain http only for loopback hosts (127.0.0.0/8, ::1, localhost),
// since the bearer token would cross the network in clear.
// FailedPrecondition naming infisical.site_url otherwise.
absl::StatusOr<std::string> ApiUrlFromSiteUrl(absl::string_view site_url);

// Transport settings from config.infisical (0 = the default: connect 5 s,
// request 30 s, 64 MiB). Never fails today; StatusOr for future checks.
absl::StatusOr<http::CurlTransportOptions> CurlTransportOptionsFromConfig(
    const v1::DeploymentConfig& config);

// Retry settings from config.infisical (max_retries 0 = the default 4).
http::RetryPolicy RetryPolicyFromConfig(const v1::DeploymentConfig& config);

// Reads the credentials (config.auth, through `env` and files) and returns a
// store that retries over `http` and authenticates as configured (Universal
// Auth with the optional token cache, a service token, or an access token).
// The store keeps references to `http`, `clock`, `random` and `log`, which
// must outlive it. Errors: FailedPrecondition naming the config field
// (infisical.site_url, auth, project_id/project_slug, environment) when it is
// missing or invalid; the errors of ReadCredential. No network I/O happens
// here: the first login is on the first call.
absl::StatusOr<std::unique_ptr<SecretStore>> NewInfisicalStore(
    const v1::DeploymentConfig& config, HttpTransport& http, Clock& clock,
    RandomSource& random, const Environment& env, LogSink& log);

}  // namespace infisical
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_INFISICAL_INFISICAL_STORE_H_

// NewInfisicalStore and config helpers (see infisical_store.h).
#include "lib/infisical/infisical_store.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/auth/credential_source.h"
#include "lib/auth/static_token_provider.h"
#include "lib/auth/token_cache.h"
#include "lib/auth/universal_auth.h"
#include "lib/base/status_macros.h"
#include "lib/infisical/infisical_client.h"

namespace secretsync {
namespace infisical {
namespace {

bool IsLoopbackHost(absl::string_view host) {
  return host == "localhost" || host == "[::1]" || absl::StartsWith(host, "127.");
}

// Owns the pieces NewInfisicalStore builds and forwards to the client. The
// base class holds a reference to client_, which is constructed right after
// it and used only once construction is complete.
class ConfiguredStore : public ForwardingSecretStore {
 public:
  ConfiguredStore(std::unique_ptr<http::RetryingHttpTransport> retrying,
                  std::unique_ptr<auth::TokenProvider> auth, std::string api_url, LogSink& log)
      : ForwardingSecretStore(client_),
        retrying_(std::move(retrying)),
        auth_(std::move(auth)),
        client_(*retrying_, *auth_, ClientOptions{std::move(api_url), &log}) {}

 private:
  std::unique_ptr<http::RetryingHttpTransport> retrying_;
  std::unique_ptr<auth::TokenProvider> auth_;
  InfisicalClient client_;
};

}  // namespace

absl::StatusOr<std::string> ApiUrlFromSiteUrl(absl::string_view site_url) {
  absl::string_view url = absl::StripAsciiWhitespace(site_url);
  if (url.empty()) {
    return absl::FailedPreconditionError("config infisical.site_url: not set");
  }
  absl::string_view rest = url;
  bool https = absl::ConsumePrefix(&rest, "https://");
  if (!https && !absl::ConsumePrefix(&rest, "http://")) {
    return absl::FailedPreconditionError(
        absl::StrCat("config infisical.site_url '", url, "': must start with https://"));
  }
  absl::string_view host = rest.substr(0, rest.find('/'));
  if (absl::StrContains(host, "@")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "config infisical.site_url: must not carry credentials (use auth instead)"));
  }
  size_t colon = host.rfind(':');
  if (colon != absl::string_view::npos && host.find(']') == absl::string_view::npos) {
    host = host.substr(0, colon);
  } else if (absl::StartsWith(host, "[")) {
    host = host.substr(0, host.find(']') + 1);
  }
  if (host.empty() || absl::StrContains(url, "?") || absl::StrContains(url, "#")) {
    return absl::FailedPreconditionError(
        absl::StrCat("config infisical.site_url '", url, "': not a plain site URL"));
  }
  if (!https && !IsLoopbackHost(host)) {
    return absl::FailedPreconditionError(
        absl::StrCat("config infisical.site_url '", url,
                     "': plain http is only allowed for loopback hosts; use https://"));
  }
  while (absl::ConsumeSuffix(&url, "/")) {
  }
  if (absl::EndsWith(url, "/api")) return std::string(url);
  return absl::StrCat(url, "/api");
}

absl::StatusOr<http::CurlTransportOptions> CurlTransportOptionsFromConfig(
    const v1::DeploymentConfig& config) {
  const v1::Infisical& c = config.infisical();
  http::CurlTransportOptions options;
  options.ca_bundle = c.ca_bundle();
  if (c.connect_timeout_ms() > 0) options.connect_timeout = absl::Milliseconds(c.connect_timeout_ms());
  if (c.request_timeout_ms() > 0) options.request_timeout = absl::Milliseconds(c.request_timeout_ms());
  if (c.max_response_bytes() > 0) options.max_response_bytes = c.max_response_bytes();
  return options;
}

http::RetryPolicy RetryPolicyFromConfig(const v1::DeploymentConfig& config) {
  http::RetryPolicy policy;
  if (config.infisical().max_retries() > 0) {
    policy.max_retries = static_cast<int>(config.infisical().max_retries());
  }
  return policy;
}

absl::StatusOr<std::unique_ptr<SecretStore>> NewInfisicalStore(
    const v1::DeploymentConfig& config, HttpTransport& http, Clock& clock,
    RandomSource& random, const Environment& env, LogSink& log) {
  SS_ASSIGN_OR_RETURN(std::string api_url, ApiUrlFromSiteUrl(config.infisical().site_url()));
  if (config.project_id().empty() && config.project_slug().empty()) {
    return absl::FailedPreconditionError("config project_id/project_slug: neither is set");
  }
  if (config.environment().empty()) {
    return absl::FailedPreconditionError("config environment: not set");
  }
  auto retrying = std::make_unique<http::RetryingHttpTransport>(http, clock, random, log,
                                                          RetryPolicyFromConfig(config));
  std::unique_ptr<auth::TokenProvider> provider;
  const v1::Auth& a = config.auth();
  switch (a.method_case()) {
    case v1::Auth::kUniversalAuth: {
      SS_ASSIGN_OR_RETURN(SecretValue client_id,
                          auth::ReadCredential(a.universal_auth().client_id(),
                                               "auth.universal_auth.client_id", env));
      SS_ASSIGN_OR_RETURN(SecretValue client_secret,
                          auth::ReadCredential(a.universal_auth().client_secret(),
                                               "auth.universal_auth.client_secret", env));
      auth::UniversalAuthOptions options;
      options.api_url = api_url;
      // A client id identifies, it does not authenticate: it may be logged.
      options.client_id = std::string(client_id.Expose());
      options.client_secret = std::move(client_secret);
      if (!a.token_cache_file().empty()) {
        options.cache = std::make_unique<auth::TokenCache>(a.token_cache_file(), api_url,
                                                           options.client_id, log);
      }
      provider = std::make_unique<auth::UniversalAuthProvider>(*retrying, clock, log,
                                                               std::move(options));
      break;
    }
    case v1::Auth::kServiceToken: {
      SS_ASSIGN_OR_RETURN(SecretValue token,
                          auth::ReadCredential(a.service_token(), "auth.service_token", env));
      SS_ASSIGN_OR_RETURN(provider, auth::NewServiceTokenProvider(token));
      break;
    }
    case v1::Auth::kAccessToken: {
      SS_ASSIGN_OR_RETURN(SecretValue token,
                          auth::ReadCredential(a.access_token(), "auth.access_token", env));
      provider = std::make_unique<auth::StaticTokenProvider>(std::move(token));
      break;
    }
    case v1::Auth::METHOD_NOT_SET:
      return absl::FailedPreconditionError(
          "config auth: no method set (universal_auth, service_token or access_token)");
  }
  return std::unique_ptr<SecretStore>(
      std::make_unique<ConfiguredStore>(std::move(retrying), std::move(provider), api_url, log));
}

}  // namespace infisical
}  // namespace secretsync

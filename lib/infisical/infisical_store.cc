// NewInfisicalStore and config helpers (see infisical_store.h).
#include "lib/infisical/infisical_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/auth/credential_source.h"
#include "lib/auth/static_token_provider.h"
#include "lib/auth/token_cache.h"
#include "lib/auth/universal_auth.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/infisical/infisical_client.h"

namespace secretsync {
namespace infisical {
namespace {

absl::Status SiteUrlError(absl::string_view why) {
  return WithExitCode(absl::FailedPreconditionError(absl::StrCat("config infisical.site_url: ", why)),
                      kExitConfig);
}

// A dotted-quad IPv4 literal, parsed by inet_pton: exactly four decimal
// octets, so "127.1", "0x7f.0.0.1", "0177.0.0.1" and "127.0.0.1.evil" are not.
bool ParseIpv4(absl::string_view text, in_addr* out) {
  return inet_pton(AF_INET, std::string(text).c_str(), out) == 1;
}

bool ParseIpv6(absl::string_view text, in6_addr* out) {
  return inet_pton(AF_INET6, std::string(text).c_str(), out) == 1;
}

// Where plain http may go: an IPv4 literal in 127.0.0.0/8, the IPv6 literal
// ::1 (in brackets, any spelling inet_pton reads as ::1), or exactly
// "localhost" (which curl resolves to loopback itself, without DNS). Any other
// name is refused, since DNS decides where it goes; so is an IPv4-mapped
// [::ffff:127.0.0.1]: loopback only through the dual-stack mapping, and no
// setup needs it.
bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost") return true;
  if (absl::StartsWith(host, "[")) {
    in6_addr a6;
    return ParseIpv6(host.substr(1, host.size() - 2), &a6) && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  in_addr a4;
  return ParseIpv4(host, &a4) && (ntohl(a4.s_addr) >> 24) == 127;
}

bool IsHostNameChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '.'; }

// Splits "host[:port]" (host possibly "[v6]") and checks each part: a name of
// letters, digits, '-' and '.', or a bracketed IPv6 literal; a port of 1-5
// digits up to 65535. Refuses userinfo ('@'), percent-encoding and every
// other character curl or a resolver might read differently than we do.
absl::StatusOr<std::string> HostOfAuthority(absl::string_view authority) {
  absl::string_view host = authority;
  absl::string_view port;
  bool has_port = false;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) return SiteUrlError("unterminated [IPv6] host");
    host = authority.substr(0, close + 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!absl::ConsumePrefix(&after, ":")) return SiteUrlError("not a plain site URL");
      port = after;
      has_port = true;
    }
    in6_addr a6;
    if (!ParseIpv6(host.substr(1, host.size() - 2), &a6)) {
      return SiteUrlError("the [IPv6] host is not an IPv6 address");
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != absl::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostNameChar)) {
      return SiteUrlError(
          "the host must be a name or an IP address (no credentials, '%' or other "
          "characters; use auth for credentials)");
    }
  }
  if (has_port) {
    int number = 0;
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return SiteUrlError("the port must be a number from 1 to 65535");
    }
  }
  return std::string(host);
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
  // Messages never quote the URL: it may carry credentials by mistake.
  absl::string_view url = absl::StripAsciiWhitespace(site_url);
  if (url.empty()) return SiteUrlError("not set");
  absl::string_view rest = url;
  bool https = absl::ConsumePrefix(&rest, "https://");
  if (!https && !absl::ConsumePrefix(&rest, "http://")) {
    return SiteUrlError("must start with https://");
  }
  if (absl::StrContains(rest, "@")) {
    return SiteUrlError("must not carry credentials (use auth instead)");
  }
  if (absl::StrContains(url, "?") || absl::StrContains(url, "#") ||
      absl::StrContains(url, "\\")) {
    return SiteUrlError("not a plain site URL (no query, fragment or backslash)");
  }
  SS_ASSIGN_OR_RETURN(std::string host, HostOfAuthority(rest.substr(0, rest.find('/'))));
  if (!https && !IsLoopbackHost(host)) {
    return SiteUrlError(absl::StrCat(
        "plain http is only allowed to an IP address in 127.0.0.0/8, [::1] or localhost, "
        "not to host ", host, " (the client secret would cross the network in clear); use https://"));
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
        options.cache = std::make_unique<auth::TokenCache>(
            a.token_cache_file(), api_url, options.client_id, options.client_secret, log,
            a.token_cache_read_only());
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

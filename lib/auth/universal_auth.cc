// UniversalAuthProvider (see universal_auth.h).
#include "lib/auth/universal_auth.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/http/http_status.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace auth {
namespace {

constexpr char kLoginPath[] = "/v1/auth/universal-auth/login";
constexpr char kRenewPath[] = "/v1/auth/token/renew";

absl::Time ExpiresAt(const CachedToken& t) {
  if (t.ttl == absl::ZeroDuration()) return t.max_expires_at;
  return std::min(t.issued_at + t.ttl, t.max_expires_at);
}

}  // namespace

UniversalAuthProvider::UniversalAuthProvider(HttpTransport& http, Clock& clock, LogSink& log,
                                             UniversalAuthOptions options)
    : http_(http), clock_(clock), log_(log), options_(std::move(options)) {}

absl::StatusOr<CachedToken> UniversalAuthProvider::TokenFromReply(const HttpResponse& reply,
                                                                  const std::string& what) {
  SS_RETURN_IF_ERROR(http::StatusFromHttp(reply, what));
  v1::AccessTokenReply parsed;
  SS_RETURN_IF_ERROR(http::ParseJsonReply(reply.body, what, &parsed));
  if (parsed.access_token().empty() || parsed.expires_in() < 0 ||
      parsed.access_token_max_ttl() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("malformed reply from ", what));
  }
  CachedToken out;
  out.token = SecretValue(std::move(*parsed.mutable_access_token()));
  out.issued_at = clock_.TimeNow();
  out.ttl = absl::Seconds(parsed.expires_in());
  if (parsed.access_token_max_ttl() > 0) {
    out.max_expires_at = out.issued_at + absl::Seconds(parsed.access_token_max_ttl());
  }
  return out;
}

absl::StatusOr<CachedToken> UniversalAuthProvider::Login() {
  v1::UniversalAuthLoginRequest body;
  body.set_client_id(options_.client_id);
  body.set_client_secret(std::string(options_.client_secret.Expose()));
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.api_url, kLoginPath);
  absl::StatusOr<std::string> json = http::ToJsonBody(body);
  WipeString(*body.mutable_client_secret());
  if (!json.ok()) return json.status();
  request.body = *std::move(json);
  const std::string what = HttpRequestLabel(request);
  absl::Time start = clock_.TimeNow();
  // `request` and `reply` wipe their bodies (the secret, the token) when they
  // go, on every path.
  auto reply = http_.Send(request);
  if (!reply.ok()) return reply.status();
  SS_ASSIGN_OR_RETURN(CachedToken token, TokenFromReply(*reply, what));
  log_.Info("auth.login")
      .Field("ttl_s", absl::ToInt64Seconds(token.ttl))
      .Field("ms", absl::ToInt64Milliseconds(clock_.TimeNow() - start));
  return token;
}

absl::StatusOr<CachedToken> UniversalAuthProvider::Renew(const SecretValue& old_token) {
  v1::AccessTokenRequest body;
  body.set_access_token(std::string(old_token.Expose()));
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.api_url, kRenewPath);
  absl::StatusOr<std::string> json = http::ToJsonBody(body);
  WipeString(*body.mutable_access_token());
  if (!json.ok()) return json.status();
  request.body = *std::move(json);
  const std::string what = HttpRequestLabel(request);
  auto reply = http_.Send(request);
  if (!reply.ok()) return reply.status();
  SS_ASSIGN_OR_RETURN(CachedToken token, TokenFromReply(*reply, what));
  log_.Info("auth.renewed").Field("ttl_s", absl::ToInt64Seconds(token.ttl));
  return token;
}

void UniversalAuthProvider::Remember(CachedToken token) {
  if (options_.cache != nullptr) {
    absl::Status stored = options_.cache->Store(token);
    if (!stored.ok()) {
      log_.Warn("auth.token_cache_write_failed")
          .Field("path", options_.cache->path())
          .Field("code", absl::StatusCodeToString(stored.code()));
    }
  }
  current_ = std::move(token);
}

absl::StatusOr<SecretValue> UniversalAuthProvider::Token() {
  if (!current_.has_value() && !cache_checked_ && options_.cache != nullptr) {
    cache_checked_ = true;
    current_ = options_.cache->Load();
    if (current_.has_value()) log_.Info("auth.token_cache_hit").Field("path", options_.cache->path());
  }
  const absl::Time now = clock_.TimeNow();
  if (current_.has_value()) {
    const absl::Time expires = ExpiresAt(*current_);
    // Refresh once less than a third of the TTL is left (the token is usable
    // for the whole request that follows).
    const absl::Duration margin =
        current_->ttl == absl::ZeroDuration() ? absl::ZeroDuration() : current_->ttl / 3;
    if (now < expires - margin) return current_->token.Copy();
    bool renewable = current_->ttl > absl::ZeroDuration() && now < expires &&
                     now + current_->ttl <= current_->max_expires_at;
    if (renewable) {
      auto renewed = Renew(current_->token);
      if (renewed.ok()) {
        // Max TTL counts from login; a renewal never moves it.
        renewed->max_expires_at = current_->max_expires_at;
        Remember(*std::move(renewed));
        return current_->token.Copy();
      }
      log_.Warn("auth.renew_failed").Field("code", absl::StatusCodeToString(renewed.status().code()));
    }
    current_.reset();
  }
  SS_ASSIGN_OR_RETURN(CachedToken fresh, Login());
  Remember(std::move(fresh));
  return current_->token.Copy();
}

bool UniversalAuthProvider::Invalidate() {
  current_.reset();
  cache_checked_ = true;  // never reload the rejected token from the cache
  if (options_.cache != nullptr) options_.cache->Clear();
  return true;
}

}  // namespace auth
}  // namespace secretsync

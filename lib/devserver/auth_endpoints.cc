// Status, login, renew and revoke of the dev server.
#include "lib/devserver/auth_endpoints.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_control.h"
#include "lib/devserver/access_token.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/request_json.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

namespace v1 = ::secretsync::v1;

Json TokenReply(const std::string& token, const v1::DevAccessToken& record) {
  Json j;
  j["accessToken"] = token;
  j["expiresIn"] = record.ttl_seconds();
  j["accessTokenMaxTTL"] = record.max_ttl_seconds();
  j["tokenType"] = "Bearer";
  return j;
}

// The claims of the body's "accessToken", which must be a valid identity
// access token.
absl::StatusOr<AccessTokenClaims> VerifyBodyToken(ApiContext& ctx, const Json& body) {
  Issues issues;
  std::optional<std::string> token = StringField(body, "accessToken", true, issues);
  if (!issues.empty()) return issues.ToError();
  TokenCheck check = VerifyAccessToken(*token, ctx.store().signing_key(), ctx.clock().TimeNow());
  SS_RETURN_IF_ERROR(RejectedToken(check.verdict));
  if (check.claims.auth_token_type != "identityAccessToken") {
    return BadRequest("Only identity access tokens can be renewed");
  }
  return check.claims;
}

}  // namespace

absl::StatusOr<Json> StatusEndpoint(ApiContext& ctx) {
  Json j;
  j["date"] = ctx.store().NowRfc3339();
  j["message"] = "Ok";
  j["emailConfigured"] = false;
  j["inviteOnlySignup"] = false;
  j["redisConfigured"] = false;
  j["secretScanningConfigured"] = false;
  return j;
}

absl::StatusOr<Json> Login(ApiContext& ctx, const ApiRequest& req) {
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  std::optional<std::string> client_id = StringField(body, "clientId", true, issues);
  std::optional<std::string> client_secret = StringField(body, "clientSecret", true, issues);
  if (!issues.empty()) return issues.ToError();
  DevStore& store = ctx.store();
  const v1::DevIdentity* identity =
      store.IdentityByClientId(absl::StripAsciiWhitespace(*client_id));
  if (identity == nullptr) return NotFound("No identity with specified client ID was found");
  if (identity->client_secret() != absl::StripAsciiWhitespace(*client_secret)) {
    return Unauthorized("Invalid credentials");
  }
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    absl::StatusOr<v1::DevAccessToken> record = store.IssueAccessToken(*identity);
    if (!record.ok()) return SomethingWentWrong();
    AccessTokenClaims claims;
    claims.identity_id = identity->client_id();
    claims.client_secret_id = identity->client_id();
    claims.token_id = record->id();
    claims.issued_at_unix = record->created_at_unix();
    if (record->ttl_seconds() > 0) {
      claims.expires_at_unix = record->created_at_unix() + record->ttl_seconds();
    }
    absl::StatusOr<std::string> nonce = store.NewUuid();
    if (!nonce.ok()) return SomethingWentWrong();
    claims.nonce = *nonce;
    return TokenReply(SignAccessToken(claims, store.signing_key()), *record);
  });
}

absl::StatusOr<Json> Renew(ApiContext& ctx, const ApiRequest& req) {
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  SS_ASSIGN_OR_RETURN(AccessTokenClaims claims, VerifyBodyToken(ctx, body));
  DevStore& store = ctx.store();
  v1::DevAccessToken* record = store.MutableAccessToken(claims.token_id);
  if (record == nullptr) return Unauthorized("No identity access token found");
  int64_t now = absl::ToUnixSeconds(ctx.clock().TimeNow());
  if (record->max_ttl_seconds() > 0) {
    int64_t max_expiry = record->created_at_unix() + record->max_ttl_seconds();
    absl::string_view failure;
    if (now > max_expiry) {
      failure = "Failed to renew MI access token due to Max TTL expiration";
    } else if (now + static_cast<int64_t>(record->ttl_seconds()) > max_expiry) {
      failure = "Failed to renew MI access token past its Max TTL expiration";
    }
    if (!failure.empty()) {
      // The real server deletes the token here, so it dies at once.
      store.DeleteAccessToken(claims.token_id);
      ctx.PersistOrLog();
      return Unauthorized(failure);
    }
  }
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    record->set_last_renewed_at_unix(now);
    AccessTokenClaims renewed = claims;
    renewed.issued_at_unix = now;
    renewed.expires_at_unix.reset();
    if (record->ttl_seconds() > 0) renewed.expires_at_unix = now + record->ttl_seconds();
    absl::StatusOr<std::string> nonce = store.NewUuid();
    if (!nonce.ok()) return SomethingWentWrong();
    renewed.nonce = *nonce;
    return TokenReply(SignAccessToken(renewed, store.signing_key()), *record);
  });
}

absl::StatusOr<Json> Revoke(ApiContext& ctx, const ApiRequest& req) {
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  SS_ASSIGN_OR_RETURN(AccessTokenClaims claims, VerifyBodyToken(ctx, body));
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    if (!ctx.store().DeleteAccessToken(claims.token_id)) {
      return Unauthorized("No identity access token found");
    }
    Json j;
    j["message"] = "Successfully revoked access token";
    return j;
  });
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

// Authentication, project resolution and permission checks of the dev server.
#include "lib/devserver/access_control.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/dev_store.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

namespace v1 = ::secretsync::v1;

constexpr absl::string_view kMalformedTokenMessage =
    "The provided access token is malformed. Please use a valid token or generate a new one "
    "and try again.";
constexpr absl::string_view kExpiredTokenMessage =
    "Your token has expired. Please re-authenticate.";

// picomatch-style: "*" within a segment, "**" across segments.
bool GlobMatch(absl::string_view pattern, absl::string_view text) {
  if (pattern.empty()) return text.empty();
  if (absl::StartsWith(pattern, "**")) {
    absl::string_view rest = pattern.substr(2);
    for (size_t i = 0; i <= text.size(); ++i) {
      if (GlobMatch(rest, text.substr(i))) return true;
    }
    return false;
  }
  if (pattern[0] == '*') {
    absl::string_view rest = pattern.substr(1);
    for (size_t i = 0; i <= text.size(); ++i) {
      if (GlobMatch(rest, text.substr(i))) return true;
      if (i < text.size() && text[i] == '/') break;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern[0] != '?' && pattern[0] != text[0]) return false;
  if (pattern[0] == '?' && text[0] == '/') return false;
  return GlobMatch(pattern.substr(1), text.substr(1));
}

bool ScopeMatches(const v1::DevServiceToken::Scope& scope, absl::string_view env,
                  absl::string_view path) {
  if (scope.environment() != env) return false;
  std::string scope_path = NormalizeSecretPath(scope.secret_path());
  return SecretPathMatches(scope_path, path);
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kRead:
      return "read";
    case Action::kCreate:
      return "create";
    case Action::kEdit:
      return "edit";
    case Action::kDelete:
      return "delete";
  }
  return "read";
}

absl::StatusOr<Caller> AuthenticateServiceToken(ApiContext& ctx, const std::string& token,
                                                bool allow_service_token,
                                                const std::string& route) {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  if (parts.size() < 3) return Unauthorized("Invalid service token");
  const v1::DevServiceToken* st = ctx.store().ServiceTokenById(parts[1]);
  if (st == nullptr) {
    return NotFound(absl::StrCat("Service token with ID '", parts[1], "' not found"));
  }
  std::vector<std::string> stored = absl::StrSplit(st->token(), '.');
  if (stored.size() != 3 || stored[2] != parts[2]) return Unauthorized("Invalid service token");
  if (st->expires_at_unix() > 0 &&
      absl::ToUnixSeconds(ctx.clock().TimeNow()) >= st->expires_at_unix()) {
    return ApiError({403, "ForbiddenError", "Service token has expired"});
  }
  if (!allow_service_token) {
    return ApiError({403, absl::StrCat("Forbidden access to ", route),
                     "You are not allowed to access this resource"});
  }
  Caller caller;
  caller.service_token = st;
  return caller;
}

}  // namespace

absl::Status RejectedToken(TokenVerdict verdict) {
  switch (verdict) {
    case TokenVerdict::kMalformed:
      return TokenError(kMalformedTokenMessage);
    case TokenVerdict::kBadSignature:
      return TokenError("invalid signature");
    case TokenVerdict::kExpired:
      return TokenError(kExpiredTokenMessage);
    case TokenVerdict::kValid:
      break;
  }
  return absl::OkStatus();
}

absl::StatusOr<Caller> Authenticate(ApiContext& ctx, const ApiRequest& req,
                                    bool allow_service_token, const std::string& route) {
  auto header = req.headers.find("authorization");
  if (header == req.headers.end() || header->second.empty()) return Unauthorized("Token missing");
  // Infisical drops the first 7 characters ("Bearer ") unchecked.
  std::string token = header->second.size() > 7 ? header->second.substr(7) : "";
  if (absl::StartsWith(token, "st.")) {
    return AuthenticateServiceToken(ctx, token, allow_service_token, route);
  }
  DevStore& store = ctx.store();
  TokenCheck check = VerifyAccessToken(token, store.signing_key(), ctx.clock().TimeNow());
  SS_RETURN_IF_ERROR(RejectedToken(check.verdict));
  if (check.claims.auth_token_type != "identityAccessToken") {
    return TokenError(kMalformedTokenMessage);
  }
  v1::DevAccessToken* record = store.MutableAccessToken(check.claims.token_id);
  if (record == nullptr) return Unauthorized("No identity access token found");
  int64_t now = absl::ToUnixSeconds(ctx.clock().TimeNow());
  auto reject = [&](absl::string_view message) {
    store.DeleteAccessToken(check.claims.token_id);
    ctx.PersistOrLog();
    return Unauthorized(message);
  };
  if (record->ttl_seconds() > 0 &&
      now > record->last_renewed_at_unix() + static_cast<int64_t>(record->ttl_seconds())) {
    return reject("Failed to authenticate MI access token due to TTL expiration");
  }
  if (record->max_ttl_seconds() > 0 &&
      now > record->created_at_unix() + static_cast<int64_t>(record->max_ttl_seconds())) {
    return reject("Failed to authenticate MI access token due to Max TTL expiration");
  }
  if (record->num_uses_limit() > 0 && record->num_uses() >= record->num_uses_limit()) {
    return reject("Unable to renew MI access token due to lack of uses");
  }
  record->set_num_uses(record->num_uses() + 1);
  if (record->num_uses_limit() > 0) ctx.PersistOrLog();
  Caller caller;
  caller.identity = store.IdentityByClientId(record->client_id());
  if (caller.identity == nullptr) return Unauthorized("No identity access token found");
  return caller;
}

absl::Status CheckAccess(const Caller& caller, const v1::DevProject& project,
                         const std::string& env, const std::string& path, Action action) {
  absl::Status denied =
      PermissionDenied(absl::StrCat("You are not allowed to ", ActionName(action), " on secrets"));
  if (caller.identity != nullptr) {
    const auto& ids = caller.identity->project_ids();
    if (std::find(ids.begin(), ids.end(), project.id()) == ids.end()) return denied;
    if (action != Action::kRead && caller.identity->read_only()) return denied;
    return absl::OkStatus();
  }
  const v1::DevServiceToken& st = *caller.service_token;
  if (st.project_id() != project.id()) return denied;
  const char* needed = action == Action::kRead ? "read" : "write";
  if (std::find(st.permissions().begin(), st.permissions().end(), needed) ==
      st.permissions().end()) {
    return denied;
  }
  for (const auto& scope : st.scopes()) {
    if (ScopeMatches(scope, env, path)) return absl::OkStatus();
  }
  return denied;
}

absl::Status CheckProjectRead(const Caller& caller, const v1::DevProject& project) {
  absl::Status denied = PermissionDenied("You are not allowed to read on project");
  if (caller.identity != nullptr) {
    const auto& ids = caller.identity->project_ids();
    if (std::find(ids.begin(), ids.end(), project.id()) == ids.end()) return denied;
    return absl::OkStatus();
  }
  if (caller.service_token->project_id() != project.id()) return denied;
  return absl::OkStatus();
}

absl::StatusOr<const v1::DevProject*> ResolveProject(ApiContext& ctx, const Caller& caller,
                                                     const std::string& id,
                                                     const std::string& slug) {
  if (!id.empty()) {
    const v1::DevProject* project = ctx.store().ProjectById(id);
    if (project == nullptr) return NotFound(absl::StrCat("Project with ID '", id, "' not found"));
    return project;
  }
  if (!slug.empty()) {
    const v1::DevProject* project = ctx.store().ProjectBySlug(slug);
    if (project == nullptr) {
      // The October 2024 server wraps its NotFoundError in a DatabaseError
      // named "Failed to find project by slug"; its error handler answers
      // every DatabaseError 500 "Something went wrong" with that name.
      return ApiError({500, "Failed to find project by slug", "Something went wrong"});
    }
    return project;
  }
  if (caller.service_token != nullptr) {
    const v1::DevProject* project = ctx.store().ProjectById(caller.service_token->project_id());
    if (project != nullptr) return project;
  }
  return BadRequest("Missing project id or environment");
}

absl::StatusOr<Target> ResolveTarget(ApiContext& ctx, const Caller& caller, const std::string& id,
                                     const std::string& slug, const std::string& env,
                                     const std::string& path, Action action) {
  SS_ASSIGN_OR_RETURN(const v1::DevProject* project, ResolveProject(ctx, caller, id, slug));
  if (DevStore::FindEnvironment(*project, env) == nullptr) {
    return NotFound(absl::StrCat("Environment with slug '", env, "' in project with ID ",
                                 project->id(), " not found"));
  }
  SS_RETURN_IF_ERROR(CheckAccess(caller, *project, env, path, action));
  return Target{project, env, path};
}

bool SecretPathMatches(absl::string_view pattern, absl::string_view path) {
  return HasGlob(pattern) ? GlobMatch(pattern, path) : pattern == path;
}

bool HasGlob(absl::string_view pattern) {
  return pattern.find_first_of("*?[]{}") != absl::string_view::npos;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

// DevApi: routing, authentication, permission checks, JSON shapes, ETags and
// rate limiting of the Infisical-compatible API.
#include "lib/devserver/dev_api.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_token.h"
#include "lib/devserver/secret_references.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace {

namespace v1 = ::secretsync::v1;
using Json = nlohmann::ordered_json;

constexpr absl::string_view kMalformedTokenMessage =
    "The provided access token is malformed. Please use a valid token or generate a new one "
    "and try again.";
constexpr absl::string_view kExpiredTokenMessage =
    "Your token has expired. Please re-authenticate.";
constexpr absl::string_view kHiddenValue = "<hidden-by-infisical>";

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// An HTTP error as Infisical's error handler sends it.
struct ApiError {
  int status = 500;
  std::string name;
  Json message;
};

ApiError MakeError(int status, absl::string_view name, absl::string_view message) {
  return ApiError{status, std::string(name), Json(std::string(message))};
}
ApiError BadRequest(absl::string_view m) { return MakeError(400, "BadRequest", m); }
ApiError Unauthorized(absl::string_view m) { return MakeError(401, "UnauthorizedError", m); }
ApiError TokenError(absl::string_view m) { return MakeError(403, "TokenError", m); }

// The 403 TokenError a bad bearer or body token gets; nullopt for a valid one.
std::optional<ApiError> RejectedToken(TokenVerdict verdict) {
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
  return std::nullopt;
}
ApiError PermissionDenied(absl::string_view m) { return MakeError(403, "PermissionDenied", m); }
ApiError NotFound(absl::string_view m, absl::string_view name = "NotFound") {
  return MakeError(404, name, m);
}
ApiError Internal() { return MakeError(500, "InternalServerError", "Something went wrong"); }

// Store errors carry Infisical's messages; their code picks the status.
ApiError FromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return NotFound(status.message());
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kInvalidArgument:
      return BadRequest(status.message());
    default:
      return Internal();
  }
}

using ApiStatus = std::optional<ApiError>;

// A value or an ApiError (absl::StatusOr cannot carry the error name).
template <typename T>
class ApiOr {
 public:
  ApiOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit like StatusOr
  ApiOr(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  ApiError& error() { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

#define API_ASSIGN_OR_RETURN(lhs, expr) \
  API_ASSIGN_OR_RETURN_IMPL_(SS_STATUS_MACROS_CONCAT_(api_or_, __LINE__), lhs, expr)
#define API_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp.error());    \
  lhs = std::move(tmp.value())
#define API_RETURN_IF_ERROR(expr)                                \
  do {                                                           \
    ApiStatus api_status_ = (expr);                              \
    if (api_status_.has_value()) return *std::move(api_status_); \
  } while (0)

// Zod issues for 422 replies.
class Issues {
 public:
  void Add(Json issue) { issues_.push_back(std::move(issue)); }
  void InvalidType(Json path, absl::string_view expected, absl::string_view received) {
    Json issue;
    issue["code"] = "invalid_type";
    issue["expected"] = std::string(expected);
    issue["received"] = std::string(received);
    issue["path"] = std::move(path);
    issue["message"] = received == "undefined"
                           ? std::string("Required")
                           : absl::StrCat("Expected ", expected, ", received ", received);
    Add(std::move(issue));
  }
  void InvalidEnum(Json path, absl::string_view received, const std::vector<std::string>& options) {
    Json issue;
    issue["received"] = std::string(received);
    issue["code"] = "invalid_enum_value";
    issue["options"] = options;
    issue["path"] = std::move(path);
    std::vector<std::string> quoted;
    for (const std::string& o : options) quoted.push_back(absl::StrCat("'", o, "'"));
    issue["message"] = absl::StrCat("Invalid enum value. Expected ", absl::StrJoin(quoted, " | "),
                                    ", received '", received, "'");
    Add(std::move(issue));
  }
  void Custom(Json path, absl::string_view message) {
    Json issue;
    issue["code"] = "custom";
    issue["message"] = std::string(message);
    issue["path"] = std::move(path);
    Add(std::move(issue));
  }
  void TooSmallArray(Json path) {
    Json issue;
    issue["code"] = "too_small";
    issue["minimum"] = 1;
    issue["type"] = "array";
    issue["inclusive"] = true;
    issue["exact"] = false;
    issue["message"] = "Array must contain at least 1 element(s)";
    issue["path"] = std::move(path);
    Add(std::move(issue));
  }
  bool empty() const { return issues_.empty(); }
  ApiError ToError() const { return ApiError{422, "ValidationFailure", issues_}; }

 private:
  Json issues_ = Json::array();
};

const char* ZodType(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "boolean";
  if (j.is_number()) return "number";
  if (j.is_string()) return "string";
  if (j.is_array()) return "array";
  return "object";
}

Json PathOf(const Json& prefix, const std::string& name) {
  Json path = prefix;
  path.push_back(name);
  return path;
}

// A string field of a JSON body; records an issue when it has another type or
// is required and absent.
std::optional<std::string> StringField(const Json& body, const std::string& name, bool required,
                                       Issues& issues, const Json& prefix = Json::array()) {
  auto it = body.find(name);
  if (it == body.end()) {
    if (required) issues.InvalidType(PathOf(prefix, name), "string", "undefined");
    return std::nullopt;
  }
  if (!it->is_string()) {
    issues.InvalidType(PathOf(prefix, name), "string", ZodType(*it));
    return std::nullopt;
  }
  return it->get<std::string>();
}

// An optional boolean field; null counts as absent.
std::optional<bool> BoolField(const Json& body, const std::string& name, Issues& issues,
                              const Json& prefix = Json::array()) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    issues.InvalidType(PathOf(prefix, name), "boolean", ZodType(*it));
    return std::nullopt;
  }
  return it->get<bool>();
}

// A secret name (trimmed); non-empty, without ':' or '/'.
std::optional<std::string> CheckSecretName(absl::string_view raw, Json path, Issues& issues) {
  std::string name(absl::StripAsciiWhitespace(raw));
  if (name.empty()) {
    issues.Custom(std::move(path), "Secret name cannot be empty");
    return std::nullopt;
  }
  if (name.find(':') != std::string::npos || name.find('/') != std::string::npos) {
    issues.Custom(std::move(path), "Secret name cannot contain colon or forward slash.");
    return std::nullopt;
  }
  return name;
}

const std::string* QueryParam(const ApiRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? nullptr : &it->second;
}

std::string QueryString(const ApiRequest& req, const std::string& name) {
  const std::string* v = QueryParam(req, name);
  return v == nullptr ? "" : *v;
}

// Query booleans are exactly "true" or "false".
std::optional<bool> QueryBool(const ApiRequest& req, const std::string& name, Issues& issues) {
  const std::string* v = QueryParam(req, name);
  if (v == nullptr) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  issues.InvalidEnum(Json::array({name}), *v, {"true", "false"});
  return std::nullopt;
}

bool HasGlob(absl::string_view pattern) {
  return pattern.find_first_of("*?[]{}") != absl::string_view::npos;
}

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
  return HasGlob(scope_path) ? GlobMatch(scope_path, path) : scope_path == path;
}

std::string Base36(uint32_t v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.push_back("0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool EtagMatches(absl::string_view if_none_match, absl::string_view etag) {
  for (absl::string_view candidate : absl::StrSplit(if_none_match, ',')) {
    candidate = absl::StripAsciiWhitespace(candidate);
    if (candidate == "*") return true;
    if (absl::StartsWith(candidate, "W/")) candidate.remove_prefix(2);
    if (candidate == etag) return true;
  }
  return false;
}

enum class Action { kRead, kCreate, kEdit, kDelete };

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

enum class RowShape {
  kRead,      // list and get-by-name rows
  kImported,  // rows inside "imports": no createdAt/updatedAt
  kWrite,     // replies of writes (secretRawSchema + secretValueHidden)
};

struct Caller {
  const v1::DevIdentity* identity = nullptr;
  const v1::DevServiceToken* service_token = nullptr;
};

struct Target {
  const v1::DevProject* project = nullptr;
  std::string env;
  std::string path;
};

}  // namespace

class DevApi::Impl {
 public:
  Impl(std::unique_ptr<DevStore> store, Clock& clock, RandomSource& random, LogSink& log,
       DevApiOptions options, PersistFn persist)
      : store_(std::move(store)),
        clock_(clock),
        random_(random),
        log_(log),
        options_(options),
        persist_(std::move(persist)) {
    if (options_.rate_limit_per_minute > 0) {
      rate_limiter_ = std::make_unique<RateLimiter>(clock_, options_.rate_limit_per_minute);
    }
  }

  ApiResponse Handle(const ApiRequest& req);
  v1::DevSeed state() const { return store_->state(); }

 private:
  ApiOr<Json> Route(const ApiRequest& req, const std::string& path);
  std::string NewRequestId();

  // Authentication and permissions.
  ApiOr<Caller> Authenticate(const ApiRequest& req, bool allow_service_token,
                             const std::string& path);
  ApiStatus CheckAccess(const Caller& caller, const v1::DevProject& project, const std::string& env,
                        const std::string& path, Action action);
  ApiStatus CheckProjectRead(const Caller& caller, const v1::DevProject& project);
  ApiOr<const v1::DevProject*> ResolveProject(const Caller& caller, const std::string& id,
                                              const std::string& slug);
  ApiOr<Target> ResolveTarget(const Caller& caller, const std::string& id, const std::string& slug,
                              const std::string& env, const std::string& path, Action action);

  // JSON shapes.
  Json SecretRow(const v1::DevProject& project, const v1::DevSecret& secret, RowShape shape,
                 const std::string& value, bool hidden) const;
  std::string ReadValue(const v1::DevProject& project, const v1::DevSecret& secret,
                        bool expand) const;
  Json ProjectJson(const v1::DevProject& project) const;
  Json TokenReply(const std::string& token, const v1::DevAccessToken& record) const;

  // Endpoints.
  ApiOr<Json> Status();
  ApiOr<Json> Login(const ApiRequest& req);
  ApiOr<Json> Renew(const ApiRequest& req);
  ApiOr<Json> Revoke(const ApiRequest& req);
  ApiOr<Json> ProjectBySlug(const ApiRequest& req, const std::string& path,
                            const std::string& slug);
  ApiOr<Json> ProjectById(const ApiRequest& req, const std::string& path, const std::string& id);
  // The project, environment and folder a v3/v4 read names in its query
  // (a single-scope service token overrides them), checked for read access.
  ApiOr<Target> ResolveReadTarget(const ApiRequest& req, const Caller& caller, int version);
  ApiOr<Json> ListSecrets(const ApiRequest& req, int version, const std::string& path);
  ApiOr<Json> GetSecret(const ApiRequest& req, int version, const std::string& path,
                        const std::string& raw_name);
  ApiOr<Json> WriteSecret(const ApiRequest& req, int version, const std::string& path,
                          const std::string& raw_name);
  ApiOr<Json> BatchWrite(const ApiRequest& req, int version, const std::string& path);
  ApiOr<Json> Faults(const ApiRequest& req);

  // Runs `change` on the store; rolls back on error; persists on success.
  template <typename F>
  ApiOr<Json> Transaction(F change);
  void PersistOrLog();
  ApiOr<AccessTokenClaims> VerifyBodyToken(const Json& body, Issues& issues);
  ApiOr<Json> ParseBody(const ApiRequest& req);

  std::unique_ptr<DevStore> store_;
  Clock& clock_;
  RandomSource& random_;
  LogSink& log_;
  DevApiOptions options_;
  PersistFn persist_;
  std::unique_ptr<RateLimiter> rate_limiter_;
};

// ---------------------------------------------------------------------------
// Dispatch

ApiResponse DevApi::Impl::Handle(const ApiRequest& req) {
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string req_id = NewRequestId();
  ApiResponse response;
  bool limited =
      rate_limiter_ != nullptr && absl::StartsWith(path, "/api/") && path != "/api/status";
  if (limited) {
    std::string client = req.remote_addr;
    auto xff = req.headers.find("x-forwarded-for");
    if (xff != req.headers.end() && !xff->second.empty()) {
      client = std::string(absl::StripAsciiWhitespace(
          std::vector<absl::string_view>(absl::StrSplit(xff->second, ','))[0]));
    }
    RateDecision decision = rate_limiter_->Check(client);
    response.headers.emplace_back("x-ratelimit-limit", absl::StrCat(decision.limit));
    response.headers.emplace_back("x-ratelimit-remaining", absl::StrCat(decision.remaining));
    response.headers.emplace_back("x-ratelimit-reset", absl::StrCat(decision.reset_seconds));
    if (!decision.allowed) {
      response.headers.emplace_back("retry-after", absl::StrCat(decision.reset_seconds));
      response.status = 429;
      Json body;
      body["reqId"] = req_id;
      body["statusCode"] = 429;
      body["message"] = absl::StrCat("Rate limit exceeded. Please try again in ",
                                     decision.reset_seconds, " seconds");
      body["error"] = "RateLimitExceeded";
      response.body = Dump(body);
      return response;
    }
  }
  ApiOr<Json> result = Route(req, path);
  if (!result.ok()) {
    const ApiError& error = result.error();
    Json body;
    body["reqId"] = req_id;
    body["statusCode"] = error.status;
    body["message"] = error.message;
    body["error"] = error.name;
    response.status = error.status;
    response.body = Dump(body);
    return response;
  }
  response.body = Dump(result.value());
  std::string etag = StrongEtag(response.body);
  response.headers.emplace_back("etag", etag);
  auto inm = req.headers.find("if-none-match");
  if (inm != req.headers.end() && EtagMatches(inm->second, etag)) {
    response.status = 304;
    response.body.clear();
  }
  return response;
}

ApiOr<Json> DevApi::Impl::Route(const ApiRequest& req, const std::string& path) {
  std::vector<std::string> s = absl::StrSplit(path, '/', absl::SkipEmpty());
  const std::string& m = req.method;
  auto is = [&](std::initializer_list<const char*> want) {
    if (want.size() != s.size()) return false;
    size_t i = 0;
    for (const char* w : want) {
      if (w[0] != ':' && s[i] != w) return false;
      ++i;
    }
    return true;
  };
  if (m == "GET" && is({"api", "status"})) return Status();
  if (m == "POST" && is({"api", "v1", "auth", "universal-auth", "login"})) return Login(req);
  if (m == "POST" && is({"api", "v1", "auth", "token", "renew"})) return Renew(req);
  if (m == "POST" && is({"api", "v1", "auth", "token", "revoke"})) return Revoke(req);
  if (m == "GET" && is({"api", "v1", "projects", "slug", ":slug"})) {
    return ProjectBySlug(req, path, s[4]);
  }
  if (m == "GET" && is({"api", "v1", "projects", ":id"})) return ProjectById(req, path, s[3]);
  bool write = m == "POST" || m == "PATCH" || m == "DELETE";
  if (is({"api", "v3", "secrets", "batch", "raw"}) && write) return BatchWrite(req, 3, path);
  if (is({"api", "v4", "secrets", "batch"}) && write) return BatchWrite(req, 4, path);
  if (m == "GET" && is({"api", "v3", "secrets", "raw"})) return ListSecrets(req, 3, path);
  if (m == "GET" && is({"api", "v4", "secrets"})) return ListSecrets(req, 4, path);
  if (is({"api", "v3", "secrets", "raw", ":name"})) {
    if (m == "GET") return GetSecret(req, 3, path, s[4]);
    if (write) return WriteSecret(req, 3, path, s[4]);
  }
  if (is({"api", "v4", "secrets", ":name"})) {
    if (m == "GET") return GetSecret(req, 4, path, s[3]);
    if (write) return WriteSecret(req, 4, path, s[3]);
  }
  if (options_.faults != nullptr && is({"__devserver", "faults"}) &&
      (m == "POST" || m == "DELETE")) {
    return Faults(req);
  }
  return MakeError(404, "Not Found", absl::StrCat("Route ", m, ":", path, " not found"));
}

std::string DevApi::Impl::NewRequestId() {
  constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t bytes[14] = {};
  if (!random_.Fill(bytes, sizeof(bytes)).ok()) return "req-00000000000000";
  std::string id = "req-";
  for (uint8_t b : bytes) id.push_back(kAlphabet[b % kAlphabet.size()]);
  return id;
}

template <typename F>
ApiOr<Json> DevApi::Impl::Transaction(F change) {
  v1::DevSeed before = store_->state();
  ApiOr<Json> result = change();
  if (!result.ok()) {
    store_->Restore(std::move(before));
    return result;
  }
  if (persist_) {
    absl::Status s = persist_(store_->state());
    if (!s.ok()) {
      Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
      store_->Restore(std::move(before));
      return Internal();
    }
  }
  return result;
}

void DevApi::Impl::PersistOrLog() {
  if (!persist_) return;
  absl::Status s = persist_(store_->state());
  if (!s.ok()) Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
}

ApiOr<Json> DevApi::Impl::ParseBody(const ApiRequest& req) {
  if (absl::StripAsciiWhitespace(req.body).empty()) return Json::object();
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return BadRequest("Body is not valid JSON");
  if (!body.is_object()) {
    Issues issues;
    issues.InvalidType(Json::array(), "object", ZodType(body));
    return issues.ToError();
  }
  return body;
}

// ---------------------------------------------------------------------------
// Authentication and permissions

ApiOr<Caller> DevApi::Impl::Authenticate(const ApiRequest& req, bool allow_service_token,
                                         const std::string& path) {
  auto header = req.headers.find("authorization");
  if (header == req.headers.end() || header->second.empty()) return Unauthorized("Token missing");
  // Infisical drops the first 7 characters ("Bearer ") unchecked.
  std::string token = header->second.size() > 7 ? header->second.substr(7) : "";
  Caller caller;
  if (absl::StartsWith(token, "st.")) {
    std::vector<std::string> parts = absl::StrSplit(token, '.');
    if (parts.size() < 3) return Unauthorized("Invalid service token");
    const v1::DevServiceToken* st = store_->ServiceTokenById(parts[1]);
    if (st == nullptr) {
      return NotFound(absl::StrCat("Service token with ID '", parts[1], "' not found"));
    }
    std::vector<std::string> stored = absl::StrSplit(st->token(), '.');
    if (stored.size() != 3 || stored[2] != parts[2]) return Unauthorized("Invalid service token");
    if (st->expires_at_unix() > 0 &&
        absl::ToUnixSeconds(clock_.TimeNow()) >= st->expires_at_unix()) {
      return MakeError(403, "ForbiddenError", "Service token has expired");
    }
    if (!allow_service_token) {
      return MakeError(403, absl::StrCat("Forbidden access to ", path),
                       "You are not allowed to access this resource");
    }
    caller.service_token = st;
    return caller;
  }
  TokenCheck check = VerifyAccessToken(token, store_->signing_key(), clock_.TimeNow());
  if (std::optional<ApiError> rejected = RejectedToken(check.verdict)) return *rejected;
  if (check.claims.auth_token_type != "identityAccessToken") {
    return TokenError(kMalformedTokenMessage);
  }
  v1::DevAccessToken* record = store_->MutableAccessToken(check.claims.token_id);
  if (record == nullptr) return Unauthorized("No identity access token found");
  int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
  auto reject = [&](absl::string_view message) {
    store_->DeleteAccessToken(check.claims.token_id);
    PersistOrLog();
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
  if (record->num_uses_limit() > 0) PersistOrLog();
  caller.identity = store_->IdentityByClientId(record->client_id());
  if (caller.identity == nullptr) return Unauthorized("No identity access token found");
  return caller;
}

ApiStatus DevApi::Impl::CheckAccess(const Caller& caller, const v1::DevProject& project,
                                    const std::string& env, const std::string& path,
                                    Action action) {
  ApiError denied =
      PermissionDenied(absl::StrCat("You are not allowed to ", ActionName(action), " on secrets"));
  if (caller.identity != nullptr) {
    const auto& ids = caller.identity->project_ids();
    if (std::find(ids.begin(), ids.end(), project.id()) == ids.end()) return denied;
    if (action != Action::kRead && caller.identity->read_only()) return denied;
    return std::nullopt;
  }
  const v1::DevServiceToken& st = *caller.service_token;
  if (st.project_id() != project.id()) return denied;
  const char* needed = action == Action::kRead ? "read" : "write";
  if (std::find(st.permissions().begin(), st.permissions().end(), needed) ==
      st.permissions().end()) {
    return denied;
  }
  for (const auto& scope : st.scopes()) {
    if (ScopeMatches(scope, env, path)) return std::nullopt;
  }
  return denied;
}

ApiStatus DevApi::Impl::CheckProjectRead(const Caller& caller, const v1::DevProject& project) {
  ApiError denied = PermissionDenied("You are not allowed to read on project");
  if (caller.identity != nullptr) {
    const auto& ids = caller.identity->project_ids();
    if (std::find(ids.begin(), ids.end(), project.id()) == ids.end()) return denied;
    return std::nullopt;
  }
  if (caller.service_token->project_id() != project.id()) return denied;
  return std::nullopt;
}

ApiOr<const v1::DevProject*> DevApi::Impl::ResolveProject(const Caller& caller,
                                                          const std::string& id,
                                                          const std::string& slug) {
  if (!id.empty()) {
    const v1::DevProject* project = store_->ProjectById(id);
    if (project == nullptr) return NotFound(absl::StrCat("Project with ID '", id, "' not found"));
    return project;
  }
  if (!slug.empty()) {
    const v1::DevProject* project = store_->ProjectBySlug(slug);
    if (project == nullptr) {
      return NotFound(absl::StrCat("Project with slug '", slug, "' not found"));
    }
    return project;
  }
  if (caller.service_token != nullptr) {
    const v1::DevProject* project = store_->ProjectById(caller.service_token->project_id());
    if (project != nullptr) return project;
  }
  return BadRequest("Missing project id or environment");
}

ApiOr<Target> DevApi::Impl::ResolveTarget(const Caller& caller, const std::string& id,
                                          const std::string& slug, const std::string& env,
                                          const std::string& path, Action action) {
  API_ASSIGN_OR_RETURN(const v1::DevProject* project, ResolveProject(caller, id, slug));
  if (DevStore::FindEnvironment(*project, env) == nullptr) {
    return NotFound(absl::StrCat("Environment with slug '", env, "' in project with ID ",
                                 project->id(), " not found"));
  }
  API_RETURN_IF_ERROR(CheckAccess(caller, *project, env, path, action));
  return Target{project, env, path};
}

// ---------------------------------------------------------------------------
// JSON shapes

std::string DevApi::Impl::ReadValue(const v1::DevProject& project, const v1::DevSecret& secret,
                                    bool expand) const {
  if (!expand || FindReferences(secret.value(), secret.environment(), secret.path()).empty()) {
    return secret.value();
  }
  SecretLookup lookup = [&project](const std::string& env, const std::string& path,
                                   const std::string& key) -> std::optional<std::string> {
    const v1::DevSecret* target = DevStore::FindSecret(project, env, path, key);
    if (target == nullptr) return std::nullopt;
    return target->value();
  };
  std::string value = ExpandReferences(secret.value(), secret.environment(), secret.path(), lookup);
  // formatMultiValueEnv: a multi-line expanded value of a skipMultilineEncoding
  // secret comes back quoted with "\n" escapes.
  if (secret.skip_multiline_encoding() && value.find('\n') != std::string::npos) {
    value = absl::StrCat("\"", absl::StrReplaceAll(value, {{"\n", "\\n"}}), "\"");
  }
  return value;
}

Json DevApi::Impl::SecretRow(const v1::DevProject& project, const v1::DevSecret& secret,
                             RowShape shape, const std::string& value, bool hidden) const {
  Json row;
  row["id"] = secret.id();
  row["_id"] = secret.id();
  row["workspace"] = project.id();
  row["environment"] = secret.environment();
  row["version"] = secret.version();
  row["type"] = "shared";
  row["secretKey"] = secret.key();
  row["secretValue"] = hidden ? std::string(kHiddenValue) : value;
  row["secretComment"] = secret.comment();
  row["secretReminderNote"] = nullptr;
  row["secretReminderRepeatDays"] = nullptr;
  row["skipMultilineEncoding"] = secret.skip_multiline_encoding();
  if (shape == RowShape::kWrite) {
    row["metadata"] = nullptr;
    row["createdAt"] = secret.created_at();
    row["updatedAt"] = secret.updated_at();
    row["secretValueHidden"] = false;
    return row;
  }
  if (shape == RowShape::kRead) {
    row["createdAt"] = secret.created_at();
    row["updatedAt"] = secret.updated_at();
  }
  row["actor"] = nullptr;
  row["isRotatedSecret"] = false;
  row["rotationId"] = nullptr;
  row["secretPath"] = secret.path();
  row["secretValueHidden"] = hidden;
  row["secretMetadata"] = Json::array();
  row["tags"] = Json::array();
  return row;
}

Json DevApi::Impl::ProjectJson(const v1::DevProject& project) const {
  Json j;
  j["id"] = project.id();
  j["_id"] = project.id();
  j["name"] = project.name();
  j["slug"] = project.slug();
  j["autoCapitalization"] = false;
  j["orgId"] = store_->state().org_id();
  j["version"] = 3;
  j["upgradeStatus"] = nullptr;
  Json envs = Json::array();
  for (const v1::DevEnvironment& env : project.environments()) {
    Json e;
    e["id"] = env.id();
    e["name"] = env.name();
    e["slug"] = env.slug();
    envs.push_back(std::move(e));
  }
  j["environments"] = std::move(envs);
  return j;
}

Json DevApi::Impl::TokenReply(const std::string& token, const v1::DevAccessToken& record) const {
  Json j;
  j["accessToken"] = token;
  j["expiresIn"] = record.ttl_seconds();
  j["accessTokenMaxTTL"] = record.max_ttl_seconds();
  j["tokenType"] = "Bearer";
  return j;
}

// ---------------------------------------------------------------------------
// Status and auth endpoints

ApiOr<Json> DevApi::Impl::Status() {
  Json j;
  j["date"] = store_->NowRfc3339();
  j["message"] = "Ok";
  j["emailConfigured"] = false;
  j["inviteOnlySignup"] = false;
  j["redisConfigured"] = false;
  j["secretScanningConfigured"] = false;
  return j;
}

ApiOr<Json> DevApi::Impl::Login(const ApiRequest& req) {
  API_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  std::optional<std::string> client_id = StringField(body, "clientId", true, issues);
  std::optional<std::string> client_secret = StringField(body, "clientSecret", true, issues);
  if (!issues.empty()) return issues.ToError();
  const v1::DevIdentity* identity =
      store_->IdentityByClientId(absl::StripAsciiWhitespace(*client_id));
  if (identity == nullptr) return NotFound("No identity with specified client ID was found");
  if (identity->client_secret() != absl::StripAsciiWhitespace(*client_secret)) {
    return Unauthorized("Invalid credentials");
  }
  return Transaction([&]() -> ApiOr<Json> {
    absl::StatusOr<v1::DevAccessToken> record = store_->IssueAccessToken(*identity);
    if (!record.ok()) return Internal();
    AccessTokenClaims claims;
    claims.identity_id = identity->client_id();
    claims.client_secret_id = identity->client_id();
    claims.token_id = record->id();
    claims.issued_at_unix = record->created_at_unix();
    if (record->ttl_seconds() > 0) {
      claims.expires_at_unix = record->created_at_unix() + record->ttl_seconds();
    }
    absl::StatusOr<std::string> nonce = store_->NewUuid();
    if (!nonce.ok()) return Internal();
    claims.nonce = *nonce;
    return TokenReply(SignAccessToken(claims, store_->signing_key()), *record);
  });
}

ApiOr<AccessTokenClaims> DevApi::Impl::VerifyBodyToken(const Json& body, Issues& issues) {
  std::optional<std::string> token = StringField(body, "accessToken", true, issues);
  if (!issues.empty()) return issues.ToError();
  TokenCheck check = VerifyAccessToken(*token, store_->signing_key(), clock_.TimeNow());
  if (std::optional<ApiError> rejected = RejectedToken(check.verdict)) return *rejected;
  if (check.claims.auth_token_type != "identityAccessToken") {
    return BadRequest("Only identity access tokens can be renewed");
  }
  return check.claims;
}

ApiOr<Json> DevApi::Impl::Renew(const ApiRequest& req) {
  API_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  API_ASSIGN_OR_RETURN(AccessTokenClaims claims, VerifyBodyToken(body, issues));
  v1::DevAccessToken* record = store_->MutableAccessToken(claims.token_id);
  if (record == nullptr) return Unauthorized("No identity access token found");
  int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
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
      store_->DeleteAccessToken(claims.token_id);
      PersistOrLog();
      return Unauthorized(failure);
    }
  }
  return Transaction([&]() -> ApiOr<Json> {
    record->set_last_renewed_at_unix(now);
    AccessTokenClaims renewed = claims;
    renewed.issued_at_unix = now;
    renewed.expires_at_unix.reset();
    if (record->ttl_seconds() > 0) renewed.expires_at_unix = now + record->ttl_seconds();
    absl::StatusOr<std::string> nonce = store_->NewUuid();
    if (!nonce.ok()) return Internal();
    renewed.nonce = *nonce;
    return TokenReply(SignAccessToken(renewed, store_->signing_key()), *record);
  });
}

ApiOr<Json> DevApi::Impl::Revoke(const ApiRequest& req) {
  API_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  API_ASSIGN_OR_RETURN(AccessTokenClaims claims, VerifyBodyToken(body, issues));
  return Transaction([&]() -> ApiOr<Json> {
    if (!store_->DeleteAccessToken(claims.token_id)) {
      return Unauthorized("No identity access token found");
    }
    Json j;
    j["message"] = "Successfully revoked access token";
    return j;
  });
}

// ---------------------------------------------------------------------------
// Projects

ApiOr<Json> DevApi::Impl::ProjectBySlug(const ApiRequest& req, const std::string& path,
                                        const std::string& slug) {
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, /*allow_service_token=*/false, path));
  const v1::DevProject* project = store_->ProjectBySlug(slug);
  if (project == nullptr) return NotFound(absl::StrCat("Project with slug '", slug, "' not found"));
  API_RETURN_IF_ERROR(CheckProjectRead(caller, *project));
  return ProjectJson(*project);
}

ApiOr<Json> DevApi::Impl::ProjectById(const ApiRequest& req, const std::string& path,
                                      const std::string& id) {
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, /*allow_service_token=*/true, path));
  const v1::DevProject* project = store_->ProjectById(id);
  if (project == nullptr) return NotFound(absl::StrCat("Project with ID '", id, "' not found"));
  API_RETURN_IF_ERROR(CheckProjectRead(caller, *project));
  Json j;
  j["project"] = ProjectJson(*project);
  return j;
}

// ---------------------------------------------------------------------------
// Reading secrets

namespace {

struct ReadOptions {
  bool recursive = false;
  bool include_imports = false;
  bool expand = false;
  bool view_value = true;
};

// The list/get query parameters, shared by v3 and v4.
ApiOr<ReadOptions> ParseReadOptions(const ApiRequest& req) {
  Issues issues;
  std::optional<bool> recursive = QueryBool(req, "recursive", issues);
  std::optional<bool> imports_legacy = QueryBool(req, "include_imports", issues);
  std::optional<bool> imports = QueryBool(req, "includeImports", issues);
  std::optional<bool> expand = QueryBool(req, "expandSecretReferences", issues);
  std::optional<bool> view = QueryBool(req, "viewSecretValue", issues);
  if (!issues.empty()) return issues.ToError();
  ReadOptions options;
  options.recursive = recursive.value_or(false);
  options.include_imports = imports.value_or(imports_legacy.value_or(false));
  options.expand = expand.value_or(false);
  options.view_value = view.value_or(true);
  return options;
}

// A service token with exactly one non-glob scope reads that scope, whatever
// the request says.
void ApplySingleScope(const Caller& caller, std::string& project_id, std::string& slug,
                      std::string& env, std::string& path) {
  if (caller.service_token == nullptr || caller.service_token->scopes_size() != 1) return;
  const auto& scope = caller.service_token->scopes(0);
  if (HasGlob(scope.secret_path())) return;
  project_id = caller.service_token->project_id();
  slug.clear();
  env = scope.environment();
  path = NormalizeSecretPath(scope.secret_path());
}

}  // namespace

ApiOr<Target> DevApi::Impl::ResolveReadTarget(const ApiRequest& req, const Caller& caller,
                                               int version) {
  std::string project_id = QueryString(req, version == 3 ? "workspaceId" : "projectId");
  std::string slug = version == 3 ? QueryString(req, "workspaceSlug") : "";
  std::string env = QueryString(req, "environment");
  std::string path = NormalizeSecretPath(QueryString(req, "secretPath"));
  ApplySingleScope(caller, project_id, slug, env, path);
  if ((project_id.empty() && slug.empty()) || env.empty()) {
    return BadRequest("Missing project id or environment");
  }
  return ResolveTarget(caller, project_id, slug, env, path, Action::kRead);
}

ApiOr<Json> DevApi::Impl::ListSecrets(const ApiRequest& req, int version,
                                      const std::string& route) {
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, /*allow_service_token=*/true, route));
  API_ASSIGN_OR_RETURN(ReadOptions options, ParseReadOptions(req));
  API_ASSIGN_OR_RETURN(Target target, ResolveReadTarget(req, caller, version));
  const std::string& env = target.env;
  const std::string& path = target.path;
  const v1::DevProject& project = *target.project;
  Json out;
  if (!DevStore::FolderExists(project, env, path)) {
    out["secrets"] = Json::array();
    out["imports"] = Json::array();
    return out;
  }
  Json secrets = Json::array();
  for (const v1::DevSecret* secret : DevStore::ListSecrets(project, env, path, options.recursive)) {
    // Recursive reads silently drop sub-folders the caller may not read.
    if (secret->path() != path &&
        CheckAccess(caller, project, env, secret->path(), Action::kRead).has_value()) {
      continue;
    }
    secrets.push_back(SecretRow(project, *secret, RowShape::kRead,
                                ReadValue(project, *secret, options.expand), !options.view_value));
  }
  out["secrets"] = std::move(secrets);
  if (options.include_imports) {
    Json imports = Json::array();
    for (const v1::DevImport* import : DevStore::ImportsInto(project, env, path)) {
      Json entry;
      entry["secretPath"] = import->from_path();
      entry["environment"] = import->from_environment();
      entry["folderId"] =
          DevStore::FolderId(project, import->from_environment(), import->from_path());
      Json rows = Json::array();
      for (const v1::DevSecret* secret :
           DevStore::ListSecrets(project, import->from_environment(), import->from_path(), false)) {
        rows.push_back(SecretRow(project, *secret, RowShape::kImported,
                                 ReadValue(project, *secret, options.expand), !options.view_value));
      }
      entry["secrets"] = std::move(rows);
      imports.push_back(std::move(entry));
    }
    out["imports"] = std::move(imports);
  }
  return out;
}

ApiOr<Json> DevApi::Impl::GetSecret(const ApiRequest& req, int version, const std::string& route,
                                    const std::string& raw_name) {
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, /*allow_service_token=*/true, route));
  API_ASSIGN_OR_RETURN(ReadOptions options, ParseReadOptions(req));
  Issues issues;
  std::optional<std::string> name = CheckSecretName(raw_name, Json::array({"secretName"}), issues);
  std::string type = QueryString(req, "type");
  if (!type.empty() && type != "shared" && type != "personal") {
    issues.InvalidEnum(Json::array({"type"}), type, {"shared", "personal"});
  }
  std::optional<int64_t> wanted_version;
  if (const std::string* v = QueryParam(req, "version")) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(*v, &n)) {
      issues.InvalidType(Json::array({"version"}), "number", "nan");
    } else {
      wanted_version = n;
    }
  }
  if (!issues.empty()) return issues.ToError();
  API_ASSIGN_OR_RETURN(Target target, ResolveReadTarget(req, caller, version));
  const std::string& env = target.env;
  const std::string& path = target.path;
  const v1::DevProject& project = *target.project;
  if (!DevStore::FolderExists(project, env, path)) {
    return NotFound(absl::StrCat("Folder with path '", path, "' in environment with slug '", env,
                                 "' not found"),
                    "GetSecretByName");
  }
  ApiError missing = NotFound(absl::StrCat("Secret with name '", *name, "' not found"));
  if (type == "personal") return missing;
  const v1::DevSecret* secret = DevStore::FindSecret(project, env, path, *name);
  if (secret == nullptr && options.include_imports) {
    std::vector<const v1::DevImport*> imports = DevStore::ImportsInto(project, env, path);
    for (auto it = imports.rbegin(); it != imports.rend() && secret == nullptr; ++it) {
      secret = DevStore::FindSecret(project, (*it)->from_environment(), (*it)->from_path(), *name);
    }
  }
  if (secret == nullptr) return missing;
  if (wanted_version.has_value() && *wanted_version != secret->version()) {
    return NotFound(
        absl::StrCat("Secret with name '", *name, "' and version ", *wanted_version, " not found"));
  }
  Json j;
  j["secret"] = SecretRow(project, *secret, RowShape::kRead,
                          ReadValue(project, *secret, options.expand), !options.view_value);
  return j;
}

// ---------------------------------------------------------------------------
// Writing secrets

namespace {

// Project, environment and folder fields of a write body.
struct WriteScope {
  std::string project_id;
  std::string slug;
  std::string env;
  std::string path;
};

WriteScope ParseWriteScope(const Json& body, int version, Issues& issues) {
  WriteScope scope;
  if (version == 3) {
    scope.project_id = StringField(body, "workspaceId", false, issues).value_or("");
    scope.slug = StringField(body, "projectSlug", false, issues).value_or("");
    if (scope.slug.empty())
      scope.slug = StringField(body, "workspaceSlug", false, issues).value_or("");
  } else {
    scope.project_id = StringField(body, "projectId", false, issues).value_or("");
  }
  scope.env = StringField(body, "environment", true, issues).value_or("");
  scope.path = NormalizeSecretPath(StringField(body, "secretPath", false, issues).value_or("/"));
  std::optional<std::string> type = StringField(body, "type", false, issues);
  if (type.has_value() && *type != "shared" && *type != "personal") {
    issues.InvalidEnum(Json::array({"type"}), *type, {"shared", "personal"});
  }
  return scope;
}

bool IsPersonal(const Json& body) {
  auto it = body.find("type");
  return it != body.end() && it->is_string() && *it == "personal";
}

ApiError FolderNotFound(const std::string& path, const std::string& env, absl::string_view name) {
  return NotFound(
      absl::StrCat("Folder with path '", path, "' in environment with slug '", env, "' not found"),
      name);
}

}  // namespace

ApiOr<Json> DevApi::Impl::WriteSecret(const ApiRequest& req, int version, const std::string& route,
                                      const std::string& raw_name) {
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, /*allow_service_token=*/true, route));
  API_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  const std::string& m = req.method;
  Issues issues;
  std::optional<std::string> name = CheckSecretName(raw_name, Json::array({"secretName"}), issues);
  WriteScope scope = ParseWriteScope(body, version, issues);
  SecretChange change;
  std::optional<std::string> value = StringField(body, "secretValue", m == "POST", issues);
  if (m != "DELETE") {
    if (value.has_value()) change.value = TrimSecretValue(*value);
    change.comment = StringField(body, "secretComment", false, issues);
    change.skip_multiline_encoding = BoolField(body, "skipMultilineEncoding", issues);
    if (m == "PATCH") {
      if (std::optional<std::string> new_name = StringField(body, "newSecretName", false, issues)) {
        change.new_name = CheckSecretName(*new_name, Json::array({"newSecretName"}), issues);
      }
    }
  }
  if (!issues.empty()) return issues.ToError();
  if (IsPersonal(body)) {
    if (m == "POST") return BadRequest("Must be user to create personal secret");
    return NotFound(m == "DELETE" ? "Secret not found"
                                  : absl::StrCat("Secret with name ", *name, " not found"));
  }
  Action action = m == "POST" ? Action::kCreate : m == "PATCH" ? Action::kEdit : Action::kDelete;
  API_ASSIGN_OR_RETURN(Target target, ResolveTarget(caller, scope.project_id, scope.slug, scope.env,
                                                    scope.path, action));
  const std::string project_id = target.project->id();
  if (!DevStore::FolderExists(*target.project, target.env, target.path)) {
    return FolderNotFound(target.path, target.env, m == "POST" ? "CreateSecret" : "NotFound");
  }
  return Transaction([&]() -> ApiOr<Json> {
    absl::StatusOr<v1::DevSecret> secret =
        m == "POST"    ? store_->CreateSecret(project_id, target.env, target.path, *name, change)
        : m == "PATCH" ? store_->UpdateSecret(project_id, target.env, target.path, *name, change)
                       : store_->DeleteSecret(project_id, target.env, target.path, *name);
    if (!secret.ok()) return FromStatus(secret.status());
    const v1::DevProject& project = *store_->ProjectById(project_id);
    if (change.value.has_value()) {
      absl::Status refs =
          DevStore::CheckReferences(project, target.env, target.path, *change.value);
      if (!refs.ok()) return FromStatus(refs);
    }
    // PATCH echoes the value sent ("" when none), not the stored one.
    std::string reply_value = m == "PATCH" ? change.value.value_or("") : secret->value();
    Json j;
    j["secret"] = SecretRow(project, *secret, RowShape::kWrite, reply_value, false);
    return j;
  });
}

ApiOr<Json> DevApi::Impl::BatchWrite(const ApiRequest& req, int version, const std::string& route) {
  const std::string& m = req.method;
  // v4 accepts service tokens on batch create only.
  bool allow_st = version == 3 || m == "POST";
  API_ASSIGN_OR_RETURN(Caller caller, Authenticate(req, allow_st, route));
  API_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  WriteScope scope = ParseWriteScope(body, version, issues);
  std::string mode = "failOnNotFound";
  if (m == "PATCH") {
    if (std::optional<std::string> given = StringField(body, "mode", false, issues)) {
      mode = *given;
      if (mode != "failOnNotFound" && mode != "upsert" && mode != "ignore") {
        issues.InvalidEnum(Json::array({"mode"}), mode, {"failOnNotFound", "upsert", "ignore"});
      }
    }
  }
  struct Item {
    std::string key;
    std::string path;
    SecretChange change;
  };
  std::vector<Item> items;
  auto list = body.find("secrets");
  if (list == body.end() || !list->is_array()) {
    issues.InvalidType(Json::array({"secrets"}), "array",
                       list == body.end() ? "undefined" : ZodType(*list));
  } else if (list->empty()) {
    issues.TooSmallArray(Json::array({"secrets"}));
  } else {
    for (size_t i = 0; i < list->size(); ++i) {
      const Json& raw = (*list)[i];
      Json prefix = Json::array({"secrets", i});
      if (!raw.is_object()) {
        issues.InvalidType(prefix, "object", ZodType(raw));
        continue;
      }
      Item item;
      std::optional<std::string> key = StringField(raw, "secretKey", true, issues, prefix);
      if (key.has_value()) {
        item.key = CheckSecretName(*key, PathOf(prefix, "secretKey"), issues).value_or("");
      }
      if (m != "DELETE") {
        std::optional<std::string> value =
            StringField(raw, "secretValue", m == "POST", issues, prefix);
        if (value.has_value()) item.change.value = TrimSecretValue(*value);
        item.change.comment = StringField(raw, "secretComment", false, issues, prefix);
        item.change.skip_multiline_encoding =
            BoolField(raw, "skipMultilineEncoding", issues, prefix);
      }
      item.path = scope.path;
      if (m == "PATCH") {
        if (std::optional<std::string> p = StringField(raw, "secretPath", false, issues, prefix)) {
          item.path = NormalizeSecretPath(*p);
        }
        if (std::optional<std::string> n =
                StringField(raw, "newSecretName", false, issues, prefix)) {
          item.change.new_name = CheckSecretName(*n, PathOf(prefix, "newSecretName"), issues);
        }
      }
      items.push_back(std::move(item));
    }
  }
  if (!issues.empty()) return issues.ToError();
  Action action = m == "POST" ? Action::kCreate : m == "PATCH" ? Action::kEdit : Action::kDelete;
  API_ASSIGN_OR_RETURN(Target target, ResolveTarget(caller, scope.project_id, scope.slug, scope.env,
                                                    scope.path, action));
  const std::string project_id = target.project->id();
  for (const Item& item : items) {
    if (!DevStore::FolderExists(*target.project, target.env, item.path)) {
      return FolderNotFound(item.path, target.env, "NotFound");
    }
    if (item.path != target.path) {
      API_RETURN_IF_ERROR(CheckAccess(caller, *target.project, target.env, item.path, action));
    }
  }
  return Transaction([&]() -> ApiOr<Json> {
    const v1::DevProject* project = store_->ProjectById(project_id);
    std::vector<std::string> missing, existing;
    std::set<std::string> seen;
    for (const Item& item : items) {
      bool exists = DevStore::FindSecret(*project, target.env, item.path, item.key) != nullptr;
      bool duplicate = !seen.insert(absl::StrCat(item.path, "\n", item.key)).second;
      if (m == "POST" && (exists || duplicate)) existing.push_back(item.key);
      if (m != "POST" && !exists) missing.push_back(item.key);
    }
    if (!existing.empty()) {
      return BadRequest(absl::StrCat("Secret already exist: ", absl::StrJoin(existing, ",")));
    }
    if (m == "DELETE" && !missing.empty()) {
      return NotFound(absl::StrCat("Secret does not exist: ", absl::StrJoin(missing, ",")));
    }
    if (m == "PATCH" && mode == "failOnNotFound" && !missing.empty()) {
      return NotFound(absl::StrCat("Secret does not exist: ", absl::StrJoin(missing, ","),
                                   " in path ", target.path));
    }
    if (m == "PATCH" && mode == "upsert" && !missing.empty()) {
      API_RETURN_IF_ERROR(CheckAccess(caller, *project, target.env, target.path, Action::kCreate));
    }
    std::vector<v1::DevSecret> written;
    for (const Item& item : items) {
      absl::StatusOr<v1::DevSecret> secret;
      bool exists = DevStore::FindSecret(*store_->ProjectById(project_id), target.env, item.path,
                                         item.key) != nullptr;
      if (m == "POST" || (m == "PATCH" && !exists && mode == "upsert")) {
        secret = store_->CreateSecret(project_id, target.env, item.path, item.key, item.change);
        if (secret.ok() && item.change.new_name.has_value()) {
          secret = store_->UpdateSecret(project_id, target.env, item.path, item.key,
                                        SecretChange{{}, {}, {}, item.change.new_name});
          if (secret.ok()) secret->set_version(1);
        }
      } else if (m == "PATCH") {
        if (!exists) continue;  // mode "ignore"
        secret = store_->UpdateSecret(project_id, target.env, item.path, item.key, item.change);
      } else {
        secret = store_->DeleteSecret(project_id, target.env, item.path, item.key);
      }
      if (!secret.ok()) return FromStatus(secret.status());
      written.push_back(*std::move(secret));
    }
    project = store_->ProjectById(project_id);
    Json rows = Json::array();
    for (const v1::DevSecret& secret : written) {
      if (m != "DELETE") {
        absl::Status refs =
            DevStore::CheckReferences(*project, target.env, secret.path(), secret.value());
        if (!refs.ok()) return FromStatus(refs);
      }
      rows.push_back(SecretRow(*project, secret, RowShape::kWrite, secret.value(), false));
    }
    Json j;
    j["secrets"] = std::move(rows);
    return j;
  });
}

// ---------------------------------------------------------------------------
// Fault control

ApiOr<Json> DevApi::Impl::Faults(const ApiRequest& req) {
  if (req.method == "DELETE") {
    options_.faults->Clear();
  } else {
    absl::StatusOr<Fault> fault = ParseFault(req.body);
    if (!fault.ok()) return BadRequest(fault.status().message());
    options_.faults->Add(*std::move(fault));
  }
  Json j;
  j["ok"] = true;
  return j;
}

// ---------------------------------------------------------------------------
// Public API

std::string ApiResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

DevApi::DevApi(std::unique_ptr<DevStore> store, Clock& clock, RandomSource& random, LogSink& log,
               DevApiOptions options, PersistFn persist)
    : impl_(std::make_unique<Impl>(std::move(store), clock, random, log, options,
                                   std::move(persist))) {}

DevApi::~DevApi() = default;

ApiResponse DevApi::Handle(const ApiRequest& request) {
  absl::MutexLock lock(&mu_);
  return impl_->Handle(request);
}

v1::DevSeed DevApi::StateSnapshot() {
  absl::MutexLock lock(&mu_);
  return impl_->state();
}

ApiResponse FaultResponse(const Fault& fault, absl::string_view request_id) {
  ApiResponse response;
  switch (fault.mode) {
    case FaultMode::kStatus: {
      response.status = fault.status;
      Json body;
      body["reqId"] = std::string(request_id);
      body["statusCode"] = fault.status;
      body["message"] = "Injected fault";
      body["error"] = fault.status == 429   ? "RateLimitExceeded"
                      : fault.status >= 500 ? "InternalServerError"
                                            : "BadRequest";
      response.body = Dump(body);
      if (fault.retry_after_seconds.has_value()) {
        response.headers.emplace_back("retry-after", absl::StrCat(*fault.retry_after_seconds));
      }
      break;
    }
    case FaultMode::kMalformedJson:
      response.body = "{\"secrets\":[{\"secretKey\":\"A\",,]}<html>";
      break;
    case FaultMode::kTruncatedJson:
      response.body = "{\"secrets\":[{\"id\":\"1\",\"secretKey\":\"A\",\"secretVal";
      break;
    default:
      response.status = 500;
      response.body = "{}";
      break;
  }
  return response;
}

std::string StrongEtag(absl::string_view body) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 16777619u;
  }
  return absl::StrCat("\"", Base36(hash), "\"");
}

}  // namespace devserver
}  // namespace secretsync

// InfisicalClient (see infisical_client.h). Wire -> domain conversion happens
// in one function per endpoint below.
#include "lib/infisical/infisical_client.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lib/base/check.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/base/url_encode.h"
#include "lib/http/http_status.h"
#include "lib/http/json_wire.h"
#include "lib/infisical/list_reply_parser.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace infisical {
namespace {

constexpr char kRawPath[] = "/v3/secrets/raw";


const char* Bool(bool b) { return b ? "true" : "false"; }

absl::Status CheckScope(const SecretScope& scope) {
  if (scope.project_id.empty() && scope.project_slug.empty()) {
    return absl::InvalidArgumentError("secret scope: neither project_id nor project_slug is set");
  }
  if (scope.environment.empty()) {
    return absl::InvalidArgumentError("secret scope: environment is empty");
  }
  return absl::OkStatus();
}

absl::Status CheckName(absl::string_view name) {
  if (name.empty() || absl::StrContains(name, "/") || absl::StrContains(name, ":")) {
    return absl::InvalidArgumentError(
        absl::StrCat("secret name '", name, "': must be non-empty without '/' or ':'"));
  }
  return absl::OkStatus();
}

// Query for the raw read endpoints; every boolean explicit.
std::string ReadQuery(const SecretScope& scope) {
  std::vector<std::string> params;
  if (!scope.project_id.empty()) {
    params.push_back(absl::StrCat("workspaceId=", UrlEncode(scope.project_id)));
  } else {
    params.push_back(absl::StrCat("workspaceSlug=", UrlEncode(scope.project_slug)));
  }
  params.push_back(absl::StrCat("environment=", UrlEncode(scope.environment)));
  params.push_back(absl::StrCat("secretPath=", UrlEncode(scope.secret_path.empty() ? "/" : scope.secret_path)));
  params.push_back(absl::StrCat("recursive=", Bool(scope.recursive)));
  // Older routers read include_imports, current ones includeImports.
  params.push_back(absl::StrCat("include_imports=", Bool(scope.include_imports)));
  params.push_back(absl::StrCat("includeImports=", Bool(scope.include_imports)));
  params.push_back(absl::StrCat("expandSecretReferences=", Bool(scope.expand_references)));
  params.push_back("viewSecretValue=true");
  return absl::StrJoin(params, "&");
}

// The digits of text[pos, pos + n) as a number, or -1.
int Digits(absl::string_view text, size_t pos, size_t n) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!absl::ascii_isdigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "2026-01-05T03:04:05.123Z", the one form Infisical sends, without
// absl::ParseTime's general format machinery (which cost ~3,000 instructions
// a row: 3% of a 10,000-secret list). False for anything else, and for
// out-of-range fields (FromCivil would normalize them where ParseTime fails).
bool ParseUtcMillis(absl::string_view text, absl::Time* out) {
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return false;
  }
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2);
  const int second = Digits(text, 17, 2), millis = Digits(text, 20, 3);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0) {
    return false;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.month() != month || civil.day() != day || civil.hour() != hour ||
      civil.minute() != minute || civil.second() != second) {
    return false;
  }
  *out = absl::FromCivil(civil, absl::UTCTimeZone()) + absl::Milliseconds(millis);
  return true;
}

absl::Time ParseTimestamp(const std::string& text) {
  absl::Time t;
  if (ParseUtcMillis(text, &t)) return t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InfinitePast();
  }
  return t;
}

// `Wire` is v1::RawSecret (one-secret replies) or v1::ListedSecret (list rows),
// which share these accessors. Moves the strings out of `raw`, which is spent.
template <typename Wire>
SecretRecord RecordFromWire(Wire* raw, absl::string_view default_path) {
  SecretRecord r;
  r.name = std::move(*raw->mutable_secret_key());
  r.value = SecretValue(std::move(*raw->mutable_secret_value()));
  r.version = raw->version();
  r.comment = std::move(*raw->mutable_secret_comment());
  r.environment = std::move(*raw->mutable_environment());
  r.secret_path = raw->secret_path().empty() ? std::string(default_path)
                                             : std::move(*raw->mutable_secret_path());
  r.updated_at = ParseTimestamp(raw->updated_at());
  return r;
}

// GET /secrets/raw: the folder's own secrets (personal over shared), then the
// imports from last to first, first name seen wins.
std::vector<SecretRecord> RecordsFromListReply(v1::ListSecretsReply* reply,
                                               const SecretScope& scope) {
  // The rows in precedence order (personal ones last to first, as the last
  // personal row wins), then sorted by name keeping that order among equal
  // names: the first row of each name wins. Sorting pointers to the rows, not
  // records, converts only the winners and copies no secret.
  struct Row {
    v1::ListedSecret* raw;
    const v1::RawSecretImport* import;  // nullptr for the folder's own rows
  };
  std::vector<Row> rows;
  auto& own = *reply->mutable_secrets();
  rows.reserve(own.size());
  for (auto it = own.rbegin(); it != own.rend(); ++it) {
    if (it->type() == "personal") rows.push_back({&*it, nullptr});
  }
  for (auto& raw : own) {
    if (raw.type() != "personal") rows.push_back({&raw, nullptr});
  }
  auto& imports = *reply->mutable_imports();
  for (auto it = imports.rbegin(); it != imports.rend(); ++it) {
    for (auto& raw : *it->mutable_secrets()) rows.push_back({&raw, &*it});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.raw->secret_key() < b.raw->secret_key();
  });

  std::vector<SecretRecord> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    // Each name's first row has been converted (its key moved) into out.back().
    if (!out.empty() && out.back().name == rows[i].raw->secret_key()) continue;
    const v1::RawSecretImport* import = rows[i].import;
    if (import == nullptr) {
      out.push_back(RecordFromWire(rows[i].raw, scope.secret_path));
      continue;
    }
    SecretRecord record = RecordFromWire(rows[i].raw, import->secret_path());
    if (record.environment.empty()) record.environment = import->environment();
    out.push_back(std::move(record));
  }
  return out;
}

// GET /secrets/raw/:name.
absl::StatusOr<SecretRecord> RecordFromGetReply(v1::SecretReply* reply, const SecretScope& scope,
                                                const std::string& what) {
  if (!reply->has_secret() || reply->secret().secret_key().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed reply from ", what));
  }
  return RecordFromWire(reply->mutable_secret(), scope.secret_path);
}

// How many "secretKey" fields the JSON body has: an upper bound on the rows a
// list reply carries, found without parsing. A key inside a string value
// cannot match, as its quotes are escaped (\"secretKey\").
// (glibc's memmem, not string_view::find: abseil's find compares at every
// quote of a 10,000-row body.)
size_t CountSecretKeys(absl::string_view body, size_t stop_after) {
  static constexpr absl::string_view kField = "\"secretKey\"";
  size_t count = 0;
  const char* at = body.data();
  const char* const end = body.data() + body.size();
  while (count <= stop_after) {
    const void* found = memmem(at, end - at, kField.data(), kField.size());
    if (found == nullptr) break;
    ++count;
    at = static_cast<const char*>(found) + kField.size();
  }
  return count;
}

bool NeedsApproval(const v1::SecretReply& reply) {
  return reply.has_approval() &&
         reply.approval().kind_case() != google::protobuf::Value::kNullValue &&
         reply.approval().kind_case() != google::protobuf::Value::KIND_NOT_SET;
}

// POST/PATCH/DELETE /secrets/raw/:name: OK, or the change waits for approval.
absl::Status StatusFromWriteReply(const v1::SecretReply& reply, const std::string& what) {
  if (NeedsApproval(reply)) {
    // The identity may not change this environment directly: a permission
    // matter for the operator (77), not a bad config (78, FailedPrecondition's
    // default). The code stays FailedPrecondition for callers that test it.
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            what, ": change needs approval (the environment has a change policy; approve the "
                  "request in Infisical or grant the identity direct write access)")),
        kExitNoPerm);
  }
  if (!reply.has_secret()) return absl::InvalidArgumentError(absl::StrCat("malformed reply from ", what));
  return absl::OkStatus();
}

}  // namespace

InfisicalClient::InfisicalClient(HttpTransport& http, auth::TokenProvider& auth,
                                 ClientOptions options)
    : http_(http), auth_(auth), options_(std::move(options)) {}

absl::StatusOr<HttpResponse> InfisicalClient::Call(const HttpRequest& request) {
  for (int attempt = 0;; ++attempt) {
    SS_ASSIGN_OR_RETURN(SecretValue token, auth_.Token());
    HttpRequest sent = request;
    sent.headers.emplace_back("Authorization", absl::StrCat("Bearer ", token.Expose()));
    sent.headers.emplace_back("Accept", "application/json");
    // `sent` wipes its header values (the token) and body when it goes.
    absl::StatusOr<HttpResponse> reply = http_.Send(sent);
    if (!reply.ok()) return reply.status();
    bool refused = reply->status == 401 ||
                   (reply->status == 403 && http::ParseHttpError(*reply).error == "TokenError");
    if (refused && attempt == 0 && auth_.Invalidate()) {
      if (options_.log != nullptr) {
        Logger(*options_.log)
            .Info("infisical.relogin")
            .Field("request", HttpRequestLabel(request))
            .Field("status", reply->status);
      }
      continue;
    }
    return reply;
  }
}

absl::StatusOr<std::vector<SecretRecord>> InfisicalClient::List(const SecretScope& scope) {
  SS_RETURN_IF_ERROR(CheckScope(scope));
  HttpRequest request;
  request.url = absl::StrCat(options_.api_url, kRawPath, "?", ReadQuery(scope));
  const std::string what = HttpRequestLabel(request);
  SS_ASSIGN_OR_RETURN(HttpResponse reply, Call(request));
  SS_RETURN_IF_ERROR(http::StatusFromHttp(reply, what));
  if (CountSecretKeys(reply.body, options_.max_secrets_per_reply) >
      options_.max_secrets_per_reply) {
    // `reply` wipes the body when it goes.
    return absl::OutOfRangeError(absl::StrCat(
        what, ": reply lists more than ", options_.max_secrets_per_reply,
        " secrets, the limit per reply: narrow secret_path or split the project"));
  }
  // On an arena: a 10,000-row reply is ~50,000 small objects, allocated in
  // a few blocks and freed at once instead of one by one.
  google::protobuf::Arena arena;
  auto* parsed = google::protobuf::Arena::CreateMessage<v1::ListSecretsReply>(&arena);
  // Parsed in place (list_reply_parser.h): the body then holds garbage and
  // remnants of every value: wipe it whether or not it parsed, and free it
  // now so that the records reuse its memory.
  const bool parsed_ok = ParseListSecretsReply(&reply.body, parsed).ok();
  WipeAndFreeString(reply.body);
  if (!parsed_ok) return absl::InvalidArgumentError(absl::StrCat("malformed reply from ", what));
  return RecordsFromListReply(parsed, scope);
}

absl::StatusOr<SecretRecord> InfisicalClient::Get(const SecretScope& scope,
                                                  absl::string_view name) {
  SS_RETURN_IF_ERROR(CheckScope(scope));
  SS_RETURN_IF_ERROR(CheckName(name));
  HttpRequest request;
  request.url = absl::StrCat(options_.api_url, kRawPath, "/", UrlEncode(name), "?",
                             ReadQuery(scope), "&type=shared");
  const std::string what = HttpRequestLabel(request);
  SS_ASSIGN_OR_RETURN(HttpResponse reply, Call(request));
  SS_RETURN_IF_ERROR(http::StatusFromHttp(reply, what));
  v1::SecretReply parsed;
  absl::Status status = http::ParseJsonReply(reply.body, what, &parsed);
  WipeString(reply.body);
  SS_RETURN_IF_ERROR(status);
  absl::StatusOr<SecretRecord> record = RecordFromGetReply(&parsed, scope, what);
  // Unparsed fields, or the value when the record was refused, stay in `parsed`.
  WipeString(*parsed.mutable_secret()->mutable_secret_value());
  return record;
}

absl::Status InfisicalClient::Write(const char* method, const SecretScope& scope,
                                    absl::string_view name, const SecretValue* value,
                                    absl::string_view comment) {
  SS_RETURN_IF_ERROR(CheckScope(scope));
  SS_RETURN_IF_ERROR(CheckName(name));
  v1::WriteSecretRequest body;
  if (!scope.project_id.empty()) {
    body.set_workspace_id(scope.project_id);
  } else {
    body.set_project_slug(scope.project_slug);
  }
  body.set_environment(scope.environment);
  body.set_secret_path(scope.secret_path.empty() ? "/" : scope.secret_path);
  body.set_type("shared");
  if (value != nullptr) body.set_secret_value(std::string(value->Expose()));
  if (!comment.empty()) body.set_secret_comment(std::string(comment));

  HttpRequest request;
  request.method = method;
  request.url = absl::StrCat(options_.api_url, kRawPath, "/", UrlEncode(name));
  absl::StatusOr<std::string> json = http::ToJsonBody(body);
  if (body.has_secret_value()) WipeString(*body.mutable_secret_value());
  if (!json.ok()) return json.status();
  request.body = *std::move(json);
  const std::string what = HttpRequestLabel(request);
  // `request` and `reply` wipe their bodies when they go, on every path.
  absl::StatusOr<HttpResponse> reply = Call(request);
  if (!reply.ok()) return reply.status();
  if (reply->status == 400 && std::string(method) == "POST" &&
      absl::StartsWith(http::ParseHttpError(*reply).message, "Secret already exist")) {
    return absl::AlreadyExistsError(absl::StrCat(what, ": secret ", name, " already exists"));
  }
  SS_RETURN_IF_ERROR(http::StatusFromHttp(*reply, what));
  v1::SecretReply parsed;
  absl::Status status = http::ParseJsonReply(reply->body, what, &parsed);
  WipeString(reply->body);
  if (parsed.has_secret()) WipeString(*parsed.mutable_secret()->mutable_secret_value());
  SS_RETURN_IF_ERROR(status);
  return StatusFromWriteReply(parsed, what);
}

absl::Status InfisicalClient::Create(const SecretScope& scope, absl::string_view name,
                                     const SecretValue& value, absl::string_view comment) {
  return Write("POST", scope, name, &value, comment);
}

absl::Status InfisicalClient::Update(const SecretScope& scope, absl::string_view name,
                                     const SecretValue& value) {
  return Write("PATCH", scope, name, &value, "");
}

absl::Status InfisicalClient::Delete(const SecretScope& scope, absl::string_view name) {
  return Write("DELETE", scope, name, nullptr, "");
}

}  // namespace infisical
}  // namespace secretsync

// HTTP status -> absl::Status mapping (see http_status.h).
#include "lib/http/http_status.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/exit_codes.h"
#include "lib/base/http_status_code.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace http {
namespace {

// Printable ASCII only (no log/terminal injection), at most `max_bytes`: a
// longer text is cut and ends in "...".
std::string Sanitize(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text) {
    if (out.size() > max_bytes) break;  // enough to know it is too long
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (out.size() > max_bytes) {
    out.resize(max_bytes > 3 ? max_bytes - 3 : 0);
    out += "...";
  }
  return out;
}

// "environment, secretPath" from a zod issue array.
std::string SummarizeIssues(const google::protobuf::ListValue& issues) {
  std::vector<std::string> paths;
  for (const auto& issue : issues.values()) {
    if (!issue.has_struct_value()) continue;
    const auto& fields = issue.struct_value().fields();
    auto it = fields.find("path");
    if (it == fields.end() || !it->second.has_list_value()) continue;
    std::vector<std::string> parts;
    for (const auto& part : it->second.list_value().values()) {
      if (part.has_string_value()) parts.push_back(part.string_value());
      if (part.kind_case() == google::protobuf::Value::kNumberValue) {
        parts.push_back(absl::StrCat(static_cast<long long>(part.number_value())));
      }
    }
    paths.push_back(parts.empty() ? "(root)" : absl::StrJoin(parts, "."));
  }
  if (paths.empty()) return "validation failed";
  return absl::StrCat("validation failed at ", absl::StrJoin(paths, ", "));
}

// A header holding a non-negative number of seconds, or nullopt.
std::optional<int64_t> SecondsHeader(const HttpResponse& response, absl::string_view name) {
  const std::string* value = response.Header(name);
  int64_t seconds = 0;
  if (value == nullptr || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*value), &seconds) ||
      seconds < 0) {
    return std::nullopt;
  }
  return seconds;
}

// "host/path" of a redirect's Location: no scheme, userinfo, query or
// fragment (they may carry tokens), printable ASCII, truncated.
std::string RedirectTarget(const HttpResponse& response) {
  const std::string* location = response.Header("location");
  if (location == nullptr || location->empty()) return "";
  absl::string_view rest = *location;
  rest = rest.substr(0, rest.find_first_of("?#"));
  size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) {
    rest.remove_prefix(scheme + 3);
    size_t slash = rest.find('/');
    absl::string_view authority = rest.substr(0, slash);
    size_t at = authority.rfind('@');
    if (at != absl::string_view::npos) rest.remove_prefix(at + 1);
  }
  return Sanitize(rest, 120);
}

// Server messages of 5xx replies that a retry never fixes.
bool IsPermanentServerError(const HttpErrorInfo& info) {
  return absl::StartsWithIgnoreCase(info.message, "Failed to find ");
}

std::string WithReqId(std::string message, const HttpErrorInfo& info) {
  if (!info.req_id.empty()) absl::StrAppend(&message, " (reqId ", info.req_id, ")");
  return message;
}

}  // namespace

std::optional<absl::Duration> RetryAfter(const HttpResponse& response) {
  std::optional<int64_t> seconds = SecondsHeader(response, "retry-after");
  if (!seconds.has_value()) return std::nullopt;
  return absl::Seconds(*seconds);
}

bool IsRateLimited(const HttpResponse& response) {
  if (response.status == 429) return true;
  if (response.status < 500 || response.status > 599) return false;
  std::optional<int64_t> remaining = SecondsHeader(response, "x-ratelimit-remaining");
  return response.Header("retry-after") != nullptr ||
         (remaining.has_value() && *remaining == 0);
}

bool IsTemporary(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kResourceExhausted ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

HttpErrorInfo ParseHttpError(const HttpResponse& response) {
  HttpErrorInfo info;
  if (response.status >= 200 && response.status <= 299) return info;
  v1::ErrorReply reply;
  if (!ParseJsonReply(response.body, "error", &reply).ok()) return info;
  if (reply.message().has_string_value()) {
    info.message = Sanitize(reply.message().string_value(), kMaxErrorMessageBytes);
  } else if (reply.message().has_list_value()) {
    info.message = Sanitize(SummarizeIssues(reply.message().list_value()), kMaxErrorMessageBytes);
  }
  info.error = Sanitize(reply.error(), 64);
  info.req_id = Sanitize(reply.req_id(), 64);
  return info;
}

absl::Status StatusFromHttp(const HttpResponse& response, absl::string_view what) {
  if (response.status >= 200 && response.status <= 299) return absl::OkStatus();
  const std::string head = absl::StrCat(what, ": HTTP ", response.status);
  if (response.status >= 300 && response.status <= 399) {
    std::string target = RedirectTarget(response);
    return WithExitCode(
        absl::FailedPreconditionError(absl::StrCat(
            head, ": infisical.site_url redirects",
            target.empty() ? std::string() : absl::StrCat(" to ", target),
            ": set infisical.site_url to the final URL (redirects are not followed)")),
        kExitConfig);
  }
  HttpErrorInfo info = ParseHttpError(response);
  if (IsRateLimited(response)) {
    std::optional<int64_t> wait = SecondsHeader(response, "retry-after");
    if (!wait.has_value()) wait = SecondsHeader(response, "x-ratelimit-reset");
    return absl::ResourceExhaustedError(WithReqId(
        absl::StrCat(what, ": rate limited by Infisical; ",
                     wait.has_value() ? absl::StrCat("retry after ", *wait, " s")
                                      : std::string("retry later"),
                     " (HTTP ", response.status, ")"),
        info));
  }
  std::string message = head;
  if (!info.message.empty()) absl::StrAppend(&message, ": ", info.message);
  message = WithReqId(std::move(message), info);
  if (response.status >= 500 && response.status <= 599 && IsPermanentServerError(info)) {
    return absl::NotFoundError(message);
  }
  return absl::Status(StatusCodeFromHttp(response.status), message);
}

}  // namespace http
}  // namespace secretsync

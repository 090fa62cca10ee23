// HTTP status -> absl::Status mapping (see http_status.h).
#include "lib/http/http_status.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/http/json_wire.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace http {
namespace {

// Printable ASCII only (no log/terminal injection), truncated.
std::string Sanitize(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
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

absl::StatusCode CodeFor(int status) {
  switch (status) {
    case 400:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      break;
  }
  if (status >= 500 && status <= 599) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

}  // namespace

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
  HttpErrorInfo info = ParseHttpError(response);
  std::string message = absl::StrCat(what, ": HTTP ", response.status);
  if (!info.message.empty()) absl::StrAppend(&message, ": ", info.message);
  if (!info.req_id.empty()) absl::StrAppend(&message, " (reqId ", info.req_id, ")");
  return absl::Status(CodeFor(response.status), message);
}

}  // namespace http
}  // namespace secretsync

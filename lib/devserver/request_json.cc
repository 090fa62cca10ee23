// Zod-style validation of request bodies and queries.
#include "lib/devserver/request_json.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/devserver/api_error.h"

namespace secretsync {
namespace devserver {
namespace internal {

void Issues::InvalidType(Json path, absl::string_view expected, absl::string_view received) {
  Json issue;
  issue["code"] = "invalid_type";
  issue["expected"] = std::string(expected);
  issue["received"] = std::string(received);
  issue["path"] = std::move(path);
  issue["message"] = received == "undefined"
                         ? std::string("Required")
                         : absl::StrCat("Expected ", expected, ", received ", received);
  issues_.push_back(std::move(issue));
}

void Issues::InvalidEnum(Json path, absl::string_view received,
                         const std::vector<std::string>& options) {
  Json issue;
  issue["received"] = std::string(received);
  issue["code"] = "invalid_enum_value";
  issue["options"] = options;
  issue["path"] = std::move(path);
  std::vector<std::string> quoted;
  for (const std::string& o : options) quoted.push_back(absl::StrCat("'", o, "'"));
  issue["message"] = absl::StrCat("Invalid enum value. Expected ", absl::StrJoin(quoted, " | "),
                                  ", received '", received, "'");
  issues_.push_back(std::move(issue));
}

void Issues::Custom(Json path, absl::string_view message) {
  Json issue;
  issue["code"] = "custom";
  issue["message"] = std::string(message);
  issue["path"] = std::move(path);
  issues_.push_back(std::move(issue));
}

void Issues::TooSmallArray(Json path) {
  Json issue;
  issue["code"] = "too_small";
  issue["minimum"] = 1;
  issue["type"] = "array";
  issue["inclusive"] = true;
  issue["exact"] = false;
  issue["message"] = "Array must contain at least 1 element(s)";
  issue["path"] = std::move(path);
  issues_.push_back(std::move(issue));
}

absl::Status Issues::ToError() const { return ApiError({422, "ValidationFailure", issues_}); }

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

std::optional<std::string> StringField(const Json& body, const std::string& name, bool required,
                                       Issues& issues, const Json& prefix) {
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

std::optional<bool> BoolField(const Json& body, const std::string& name, Issues& issues,
                              const Json& prefix) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    issues.InvalidType(PathOf(prefix, name), "boolean", ZodType(*it));
    return std::nullopt;
  }
  return it->get<bool>();
}

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

std::optional<bool> QueryBool(const ApiRequest& req, const std::string& name, Issues& issues) {
  const std::string* v = QueryParam(req, name);
  if (v == nullptr) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  issues.InvalidEnum(Json::array({name}), *v, {"true", "false"});
  return std::nullopt;
}

absl::StatusOr<Json> ParseBody(const ApiRequest& req) {
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

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

// Reading a request's JSON body and query the way Infisical's zod schemas do:
// typed fields, exact query booleans, secret-name rules, and the 422
// ValidationFailure issue list when any of them is wrong.
#ifndef SECRETSYNC_LIB_DEVSERVER_REQUEST_JSON_H_
#define SECRETSYNC_LIB_DEVSERVER_REQUEST_JSON_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// Zod issues collected while reading one request. Not thread-safe.
class Issues {
 public:
  void InvalidType(Json path, absl::string_view expected, absl::string_view received);
  void InvalidEnum(Json path, absl::string_view received, const std::vector<std::string>& options);
  void Custom(Json path, absl::string_view message);
  void TooSmallArray(Json path);
  bool empty() const { return issues_.empty(); }
  // 422 ValidationFailure whose message is the issue array.
  absl::Status ToError() const;

 private:
  Json issues_ = Json::array();
};

// The zod name of a JSON value's type ("string", "null", "object", ...).
const char* ZodType(const Json& j);
// `prefix` with `name` appended (a zod issue path).
Json PathOf(const Json& prefix, const std::string& name);

// A string field of a JSON body; records an issue when it has another type
// or is required and absent.
std::optional<std::string> StringField(const Json& body, const std::string& name, bool required,
                                       Issues& issues, const Json& prefix = Json::array());
// An optional boolean field; null counts as absent.
std::optional<bool> BoolField(const Json& body, const std::string& name, Issues& issues,
                              const Json& prefix = Json::array());
// A secret name (trimmed); non-empty, without ':' or '/'.
std::optional<std::string> CheckSecretName(absl::string_view raw, Json path, Issues& issues);

// The first query value named `name`, or null / "" when absent.
const std::string* QueryParam(const ApiRequest& req, const std::string& name);
std::string QueryString(const ApiRequest& req, const std::string& name);
// A query boolean: exactly "true" or "false", else an invalid_enum_value issue.
std::optional<bool> QueryBool(const ApiRequest& req, const std::string& name, Issues& issues);

// The body as a JSON object ({} when blank). 400 BadRequest when it is not
// JSON (the parser's text, which may quote the body, is dropped); 422 when
// it is JSON but not an object.
absl::StatusOr<Json> ParseBody(const ApiRequest& req);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_REQUEST_JSON_H_

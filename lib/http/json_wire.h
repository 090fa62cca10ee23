// JSON <-> wire proto helpers for the Infisical API: the only place that calls
// protobuf's JSON parser and printer, so parse-error text never escapes.
#ifndef SECRETSYNC_LIB_HTTP_JSON_WIRE_H_
#define SECRETSYNC_LIB_HTTP_JSON_WIRE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace secretsync {
namespace http {

// Parses a JSON reply into `out`, ignoring unknown fields. On failure returns
// InvalidArgument "malformed reply from <what>" and nothing else: protobuf's
// error text quotes input bytes, which may be secret values. `out` is then
// unspecified.
absl::Status ParseJsonReply(absl::string_view body, absl::string_view what,
                            google::protobuf::Message* out);

// Prints `message` as a JSON request body (camelCase json names; unset proto3
// `optional` fields and default scalars omitted). Internal on printer failure
// (never expected for our messages).
absl::StatusOr<std::string> ToJsonBody(const google::protobuf::Message& message);

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_JSON_WIRE_H_

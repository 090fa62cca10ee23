// JSON <-> wire proto helpers (see json_wire.h).
#include "lib/http/json_wire.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace secretsync {
namespace http {

absl::Status ParseJsonReply(absl::string_view body, absl::string_view what,
                            google::protobuf::Message* out) {
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), out, opts);
  if (!status.ok()) {
    // Deliberately drop status.message(): it quotes the input.
    return absl::InvalidArgumentError(absl::StrCat("malformed reply from ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ToJsonBody(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = false;  // camelCase json names, as the API wants
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, opts);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print request body ", message.GetTypeName()));
  }
  return out;
}

}  // namespace http
}  // namespace secretsync

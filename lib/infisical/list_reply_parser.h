// The body of GET /api/v3/secrets/raw (a list of up to 10,000 secrets) into
// v1::ListSecretsReply, with RapidJSON's SAX reader.
//
// Why not http::ParseJsonReply (protobuf's JSON parser) as for the other
// replies: protobuf transcodes JSON to binary through a type resolver and
// parses the binary again, which was ~40% of a whole sync's CPU at 10,000
// secrets (docs/benchmarks.md, "Where a sync's time goes"). This parser fills
// the same message directly, in place in the body (no copy of a value but the
// one into the message).
//
// It accepts what protobuf's parser accepts for this message (ignoring unknown
// fields; camelCase and proto field names; null as the default; version as a
// JSON integer, an integral number or a decimal string; last duplicate wins,
// a repeated duplicate appends; null array elements are skipped), with
// deliberate differences, all stricter: the body must be valid JSON (RFC
// 8259; protobuf's parser also takes single quotes, trailing commas, raw
// control characters in strings and arrays nested in a list) and hold no NUL
// byte, `secrets` and `imports` must be arrays (protobuf takes an object
// as a one-element list), and containers nest at most 64 deep (protobuf skips
// any depth; the reader recurses). Infisical's replies are JSON.stringify
// output and nest 6 deep.
// list_reply_parser_test compares the two parsers.
#ifndef SECRETSYNC_LIB_INFISICAL_LIST_REPLY_PARSER_H_
#define SECRETSYNC_LIB_INFISICAL_LIST_REPLY_PARSER_H_

#include <string>

#include "absl/status/status.h"
#include "proto/infisical_api.pb.h"

namespace secretsync {
namespace infisical {

// Parses `*body` in place: afterwards it holds garbage, which the caller
// wipes (it held every value). On error returns InvalidArgument with a fixed
// message that quotes nothing of the body, and `out` is partly filled.
absl::Status ParseListSecretsReply(std::string* body, v1::ListSecretsReply* out);

}  // namespace infisical
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_INFISICAL_LIST_REPLY_PARSER_H_

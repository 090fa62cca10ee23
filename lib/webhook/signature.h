// The x-infisical-signature header: `t=<timestamp ms>;<hex HMAC-SHA256(key, body)>`.
#ifndef SECRETSYNC_LIB_WEBHOOK_SIGNATURE_H_
#define SECRETSYNC_LIB_WEBHOOK_SIGNATURE_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace webhook {

// The header's name as Infisical sends it (HTTP header names are
// case-insensitive; receivers compare lowercased).
inline constexpr absl::string_view kSignatureHeader = "x-infisical-signature";

using Digest = std::array<unsigned char, 32>;

// A parsed header. `mac` is the decoded HMAC; it is not a secret (it is sent
// in the clear) but it is never logged either, so that logs cannot be
// replayed from.
struct SignatureHeader {
  int64_t timestamp_ms = 0;
  Digest mac{};
};

// HMAC-SHA256(key, body) over the exact bytes.
Digest HmacSha256(const SecretValue& key, absl::string_view body);

// Parses `t=<decimal ms>;<64 hex digits>` (either hex case). Unauthenticated
// "webhook signature: malformed header" on anything else; the message never
// quotes the header.
absl::StatusOr<SignatureHeader> ParseSignatureHeader(absl::string_view value);

// True when `header.mac` is HMAC-SHA256(key, body), compared with
// CRYPTO_memcmp (constant time).
bool SignatureMatches(const SecretValue& key, absl::string_view body,
                      const SignatureHeader& header);

// The header value Infisical would send for `body` signed with `key`:
// `t=<timestamp_ms>;<lowercase hex>`.
std::string SignatureHeaderValue(const SecretValue& key, absl::string_view body,
                                 int64_t timestamp_ms);

// As above, with the timestamp read from the body (the dev server and tests
// sign bodies made by SerializeDelivery). InvalidArgument when the body is
// not a delivery (see ParseDelivery).
absl::StatusOr<std::string> SignDelivery(const SecretValue& key, absl::string_view body);

}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_SIGNATURE_H_

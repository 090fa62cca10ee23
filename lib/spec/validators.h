// Checks a secret value against its spec (SMTP_URL, URL, MIN_LENGTH).
#ifndef SECRETSYNC_LIB_SPEC_VALIDATORS_H_
#define SECRETSYNC_LIB_SPEC_VALIDATORS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "proto/spec.pb.h"

namespace secretsync {
namespace spec {

// Checks `value` against `spec.validator()`. Every kind first requires a valid
// dotenv value (no NUL byte, well-formed UTF-8). Then:
//   SMTP_URL    smtp:// or smtps://, optional percent-encoded userinfo
//               (user[:password]), a host, and a port 1-65535
//   URL         scheme://host[:port][/path...]; userinfo, if any, encoded
//   MIN_LENGTH  at least spec.validator().min_length() bytes
// Failures are InvalidArgument "secret <NAME>: <problem>", where the problem
// names what is wrong (e.g. "userinfo has a raw '@'; percent-encode it as %40")
// but never contains the value or any part of it. Thread-safe; no side effects.
absl::Status ValidateSecret(const v1::SecretSpec& spec, const SecretValue& value);

}  // namespace spec
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SPEC_VALIDATORS_H_

// Checks a secret value against its spec (SMTP_URL, URL, MIN_LENGTH).
#ifndef SECRETSYNC_LIB_SPEC_VALIDATORS_H_
#define SECRETSYNC_LIB_SPEC_VALIDATORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "proto/spec.pb.h"

namespace secretsync {
namespace spec {

// Checks `value` against `spec.validator()`. Every kind first requires a valid
// dotenv value (no NUL byte, well-formed UTF-8). Then:
//   SMTP_URL    what GlitchTip (django-environ over Python's urlsplit) reads
//               as meant: smtp, smtps, smtp+tls or smtp+ssl; userinfo up to
//               the LAST '@' (a raw '@' in it is accepted with a warning),
//               user and password split at its first ':'; no '/', '?', '#'
//               before that '@' (they would cut the host); a host and a
//               port 1-65535; no path
//   URL         scheme://host[:port][/path...]; userinfo, if any, encoded
//   MIN_LENGTH  at least spec.validator().min_length() bytes
// Failures are InvalidArgument "secret <NAME>: <problem>", where the problem
// names what is wrong (e.g. "userinfo has a raw '@'; percent-encode it as %40")
// but never contains the value or any part of it. Thread-safe; no side effects.
// Warnings (forms accepted but fragile), each "secret <NAME>: <why>" without
// any part of the value, are appended to `warnings` when it is not null.
absl::Status ValidateSecret(const v1::SecretSpec& spec, const SecretValue& value,
                            std::vector<std::string>* warnings = nullptr);

}  // namespace spec
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SPEC_VALIDATORS_H_

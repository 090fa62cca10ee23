// Secret generators: hex, base64, base64url, alphanumeric and Django-style
// keys from a RandomSource (the OS CSPRNG in production).
#ifndef SECRETSYNC_LIB_GEN_GENERATOR_H_
#define SECRETSYNC_LIB_GEN_GENERATOR_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/random_source.h"
#include "lib/base/secret_value.h"
#include "proto/spec.pb.h"

namespace secretsync {
namespace gen {

inline constexpr uint32_t kMaxBytes = 65536;   // per value, for hex/base64/base64url
inline constexpr uint32_t kMaxLength = 65536;  // characters, for alnum/django
inline constexpr uint32_t kDefaultBytes = 32;
inline constexpr uint32_t kDefaultAlnumLength = 32;
inline constexpr uint32_t kDefaultDjangoLength = 50;

// Django's get_random_secret_key() alphabet (50 characters).
inline constexpr absl::string_view kDjangoAlphabet =
    "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";

// Parses "hex", "base64", "base64url", "alnum" or "django".
// InvalidArgument naming the accepted kinds otherwise.
absl::StatusOr<secretsync::v1::Generator::Kind> ParseKind(absl::string_view name);
absl::string_view KindName(secretsync::v1::Generator::Kind kind);

// Fills in the default size for the kind when the size field is 0.
secretsync::v1::Generator WithDefaults(secretsync::v1::Generator g);

// OK when the kind is set and its size (bytes or length) is in 1..max.
// InvalidArgument naming the field otherwise.
absl::Status CheckGenerator(const secretsync::v1::Generator& g);

// Generates one value. Alphabet-based kinds use rejection sampling, so every
// character is equally likely. Errors: InvalidArgument (bad spec), Internal
// (the random source failed).
absl::StatusOr<SecretValue> Generate(const secretsync::v1::Generator& g, RandomSource& random);

}  // namespace gen
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_GEN_GENERATOR_H_

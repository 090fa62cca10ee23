// SCRAM-SHA-256 password verifiers in PostgreSQL's stored format, computed on
// the client (RFC 5802/7677) so a plaintext password never reaches the server.
#ifndef SECRETSYNC_LIB_POSTGRES_SCRAM_VERIFIER_H_
#define SECRETSYNC_LIB_POSTGRES_SCRAM_VERIFIER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/random_source.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace postgres {

// libpq 15's choices (PostgreSQL 16+ uses the server's scram_iterations).
inline constexpr int kScramIterations = 4096;
inline constexpr int kScramSaltBytes = 16;

// Returns "SCRAM-SHA-256$<iterations>:<b64 salt>$<b64 StoredKey>:<b64 ServerKey>"
// with S = PBKDF2-HMAC-SHA256(password, salt, iterations, 32),
// StoredKey = SHA256(HMAC(S, "Client Key")), ServerKey = HMAC(S, "Server Key"),
// byte-identical to libpq's PQencryptPasswordConn for the same salt.
//
// SASLprep: PostgreSQL normalizes non-ASCII passwords (NFKC, mapped spaces,
// removed soft hyphens) before hashing; this function does not implement
// SASLprep, so it accepts only ASCII passwords, for which SASLprep is the
// identity. A verifier for a non-ASCII password could silently differ from
// what the server checks at login (checked: soft hyphen, NBSP, U+FB01).
// The result is not a secret value but is password-equivalent for offline
// guessing: do not log it.
// Errors: InvalidArgument for an empty password, a non-ASCII or NUL byte in
// it, an empty salt or iterations < 1 (messages never contain the password);
// Internal if OpenSSL fails.
absl::StatusOr<std::string> ScramSha256Verifier(const SecretValue& password,
                                                absl::string_view salt, int iterations);

// The password checks of ScramSha256Verifier alone (non-empty, ASCII, no
// NUL), for callers that let libpq compute the verifier but must accept
// exactly the passwords the OpenSSL route accepts.
absl::Status ValidateScramPassword(const SecretValue& password);

// ScramSha256Verifier with a fresh kScramSaltBytes salt from `random`.
// Errors: those above, and those of random.Fill.
absl::StatusOr<std::string> ScramSha256Verifier(const SecretValue& password,
                                                RandomSource& random,
                                                int iterations = kScramIterations);

// Checks that `verifier` has PostgreSQL's SCRAM-SHA-256 stored shape (the
// prefix, a positive iteration count, valid base64 with a non-empty salt and
// 32-byte keys). The server stores a malformed string as a *plaintext*
// password, so anything sent to it as a verifier must pass this first.
// Errors: InvalidArgument naming the part that is wrong (never echoing it).
absl::Status ValidateScramVerifier(absl::string_view verifier);

// True when `stored` (a verifier as pg_authid holds it) was computed from
// `password`: recomputes it with the stored salt and iteration count and
// compares in constant time. This is what the server checks at a SCRAM login,
// without a connection (the exec route's login probe). Errors:
// InvalidArgument when `stored` is not a well-formed SCRAM-SHA-256 verifier
// (never echoing it) or the password is one ScramSha256Verifier refuses.
absl::StatusOr<bool> ScramVerifierMatches(absl::string_view stored, const SecretValue& password);

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_SCRAM_VERIFIER_H_

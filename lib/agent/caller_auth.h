// Who may call the agent: mTLS identities on an allow-list and an optional
// bearer token compared in constant time.
#ifndef SECRETSYNC_LIB_AGENT_CALLER_AUTH_H_
#define SECRETSYNC_LIB_AGENT_CALLER_AUTH_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace agent {

// What the transport knows about one caller (see grpc_caller.h).
struct CallerInfo {
  bool tls = false;                // a verified client certificate was presented
  std::vector<std::string> sans;   // its subject alternative names, any type
  bool has_token = false;          // an "authorization: Bearer ..." header came
  SecretValue token;               // its token
};

// The rules; replaced as a whole on SIGHUP.
struct AuthPolicy {
  // Plaintext on loopback: callers need no certificate (the token still
  // applies). Otherwise a verified certificate with an allowed SAN is needed.
  bool plaintext_loopback = false;
  std::vector<std::string> allowed_sans;  // exact SAN values: "central", "spiffe://corp/central"
  SecretValue token;                      // empty: no token required
};

// Decides whether a caller may use the agent. Thread-safe; SetPolicy() may
// run while other threads call Authenticate().
class CallerAuthenticator {
 public:
  explicit CallerAuthenticator(AuthPolicy policy);
  void SetPolicy(AuthPolicy policy);

  // Returns the caller's identity (its first allowed SAN, or "loopback" on
  // plaintext) for rate limiting and logs. Errors, whose messages are for the
  // agent's log only (the caller is told just the code):
  // UNAUTHENTICATED: no certificate (mTLS), token missing or wrong;
  // PERMISSION_DENIED: a certificate none of whose SANs is allowed.
  absl::StatusOr<std::string> Authenticate(const CallerInfo& caller) const;

 private:
  mutable std::mutex mu_;  // guards policy_ (the pointer, not the policy)
  std::shared_ptr<const AuthPolicy> policy_;
};

// Equality of two secrets in time independent of their contents and lengths:
// compares their SHA-256 digests with CRYPTO_memcmp.
bool ConstantTimeEquals(const SecretValue& a, const SecretValue& b);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_CALLER_AUTH_H_

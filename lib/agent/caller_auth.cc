// CallerAuthenticator: certificate identity first, then the bearer token.
#include "lib/agent/caller_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"

namespace secretsync {
namespace agent {

bool ConstantTimeEquals(const SecretValue& a, const SecretValue& b) {
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.Expose().data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.Expose().data()), b.size(), db);
  const bool same = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
  OPENSSL_cleanse(da, sizeof(da));
  OPENSSL_cleanse(db, sizeof(db));
  return same;
}

CallerAuthenticator::CallerAuthenticator(AuthPolicy policy) { SetPolicy(std::move(policy)); }

void CallerAuthenticator::SetPolicy(AuthPolicy policy) {
  auto p = std::make_shared<const AuthPolicy>(std::move(policy));
  std::lock_guard<std::mutex> l(mu_);
  policy_ = std::move(p);
}

absl::StatusOr<std::string> CallerAuthenticator::Authenticate(const CallerInfo& caller) const {
  std::shared_ptr<const AuthPolicy> policy;
  {
    std::lock_guard<std::mutex> l(mu_);
    policy = policy_;
  }
  std::string identity;
  if (policy->plaintext_loopback) {
    identity = "loopback";
  } else {
    if (!caller.tls) return absl::UnauthenticatedError("caller: no verified client certificate");
    for (const std::string& san : caller.sans) {
      if (std::find(policy->allowed_sans.begin(), policy->allowed_sans.end(), san) !=
          policy->allowed_sans.end()) {
        identity = san;
        break;
      }
    }
    if (identity.empty()) {
      return absl::PermissionDeniedError("caller: no certificate SAN is on the allow-list");
    }
  }
  if (!policy->token.empty()) {
    if (!caller.has_token) return absl::UnauthenticatedError("caller: no bearer token");
    if (!ConstantTimeEquals(caller.token, policy->token)) {
      return absl::UnauthenticatedError("caller: bearer token does not match");
    }
  }
  return identity;
}

}  // namespace agent
}  // namespace secretsync

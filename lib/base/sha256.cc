// Sha256Hex over OpenSSL's one-shot SHA256().
#include "lib/base/sha256.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace secretsync {

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string Sha256Hex(const SecretValue& data) { return Sha256Hex(data.Expose()); }

}  // namespace secretsync

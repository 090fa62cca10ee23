// Sha256Hex over OpenSSL's EVP digest, with SHA-256 fetched once.
#include "lib/base/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace secretsync {
namespace {

// OpenSSL 3's one-shot SHA256() looks the algorithm up in its provider
// tables on every call, which is most of the cost of hashing a short string
// (a sync hashes every rendered name for its rotation journal path). Fetched
// once and kept for the life of the process; null if the fetch fails, and
// then the one-shot call is used.
const EVP_MD* FetchedSha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  const EVP_MD* md = FetchedSha256();
  if (md == nullptr ||
      EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1 ||
      size != sizeof(digest)) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

std::string Sha256Hex(const SecretValue& data) { return Sha256Hex(data.Expose()); }

}  // namespace secretsync

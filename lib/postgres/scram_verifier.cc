// SCRAM-SHA-256 verifier with OpenSSL (PKCS5_PBKDF2_HMAC, HMAC, SHA256).
#include "lib/postgres/scram_verifier.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace postgres {
namespace {

constexpr absl::string_view kPrefix = "SCRAM-SHA-256$";

std::string Base64(const uint8_t* data, size_t len) {
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&out[0]), data,
                          static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Decoded length of canonical padded base64, or -1 if `text` is not that.
int Base64DecodedLength(absl::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return -1;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '=') {
      if (i + 2 < text.size()) return -1;  // '=' only in the last two places
      ++pad;
    } else if (pad > 0 || !(alnum || c == '+' || c == '/')) {
      return -1;
    }
  }
  return static_cast<int>(text.size() / 4 * 3 - pad);
}

}  // namespace

absl::Status ValidateScramPassword(const SecretValue& password) {
  if (password.empty()) return absl::InvalidArgumentError("scram verifier: password is empty");
  // Expose(): the bytes are only classified here, never copied or reported.
  for (unsigned char c : password.Expose()) {
    if (c == 0) return absl::InvalidArgumentError("scram verifier: password contains a NUL byte");
    if (c >= 0x80) {
      return absl::InvalidArgumentError(
          "scram verifier: password contains non-ASCII bytes (SASLprep is not implemented; "
          "use ASCII-only passwords)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ScramSha256Verifier(const SecretValue& password,
                                                absl::string_view salt, int iterations) {
  SS_RETURN_IF_ERROR(ValidateScramPassword(password));
  if (salt.empty()) return absl::InvalidArgumentError("scram verifier: salt is empty");
  if (iterations < 1) {
    return absl::InvalidArgumentError("scram verifier: iterations must be at least 1");
  }
  uint8_t salted[SHA256_DIGEST_LENGTH];
  uint8_t client_key[SHA256_DIGEST_LENGTH];
  uint8_t stored_key[SHA256_DIGEST_LENGTH];
  uint8_t server_key[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  absl::string_view pw = password.Expose();
  bool ok =
      PKCS5_PBKDF2_HMAC(pw.data(), static_cast<int>(pw.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        sizeof(salted), salted) == 1 &&
      HMAC(EVP_sha256(), salted, sizeof(salted),
           reinterpret_cast<const unsigned char*>("Client Key"), 10, client_key, &len) !=
          nullptr &&
      SHA256(client_key, sizeof(client_key), stored_key) != nullptr &&
      HMAC(EVP_sha256(), salted, sizeof(salted),
           reinterpret_cast<const unsigned char*>("Server Key"), 10, server_key, &len) !=
          nullptr;
  OPENSSL_cleanse(salted, sizeof(salted));
  OPENSSL_cleanse(client_key, sizeof(client_key));
  if (!ok) return absl::InternalError("scram verifier: OpenSSL failed");
  return absl::StrCat(kPrefix, iterations, ":",
                      Base64(reinterpret_cast<const uint8_t*>(salt.data()), salt.size()), "$",
                      Base64(stored_key, sizeof(stored_key)), ":",
                      Base64(server_key, sizeof(server_key)));
}

absl::StatusOr<std::string> ScramSha256Verifier(const SecretValue& password,
                                                RandomSource& random, int iterations) {
  SS_RETURN_IF_ERROR(ValidateScramPassword(password));
  uint8_t salt[kScramSaltBytes];
  SS_RETURN_IF_ERROR(Annotate(random.Fill(salt, sizeof(salt)), "scram verifier: salt"));
  return ScramSha256Verifier(
      password, absl::string_view(reinterpret_cast<const char*>(salt), sizeof(salt)),
      iterations);
}

absl::Status ValidateScramVerifier(absl::string_view verifier) {
  if (!absl::StartsWith(verifier, kPrefix)) {
    return absl::InvalidArgumentError("scram verifier: missing SCRAM-SHA-256$ prefix");
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(verifier.substr(kPrefix.size()), '$');
  if (parts.size() != 2) {
    return absl::InvalidArgumentError("scram verifier: expected <iter>:<salt>$<stored>:<server>");
  }
  std::vector<absl::string_view> head = absl::StrSplit(parts[0], ':');
  std::vector<absl::string_view> keys = absl::StrSplit(parts[1], ':');
  if (head.size() != 2 || keys.size() != 2) {
    return absl::InvalidArgumentError("scram verifier: expected <iter>:<salt>$<stored>:<server>");
  }
  int iterations = 0;
  if (!absl::SimpleAtoi(head[0], &iterations) || iterations < 1 ||
      head[0].find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError("scram verifier: iteration count is not a positive number");
  }
  if (Base64DecodedLength(head[1]) < 1) {
    return absl::InvalidArgumentError("scram verifier: salt is not base64");
  }
  if (Base64DecodedLength(keys[0]) != SHA256_DIGEST_LENGTH ||
      Base64DecodedLength(keys[1]) != SHA256_DIGEST_LENGTH) {
    return absl::InvalidArgumentError("scram verifier: keys are not 32 bytes of base64");
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ScramVerifierMatches(absl::string_view stored,
                                          const SecretValue& password) {
  SS_RETURN_IF_ERROR(ValidateScramVerifier(stored));
  // Validated: "SCRAM-SHA-256$<iter>:<salt>$<stored>:<server>".
  absl::string_view rest = stored.substr(kPrefix.size());
  absl::string_view head = rest.substr(0, rest.find('$'));
  absl::string_view iter_text = head.substr(0, head.find(':'));
  absl::string_view salt_b64 = head.substr(head.find(':') + 1);
  int iterations = 0;
  if (!absl::SimpleAtoi(iter_text, &iterations)) {
    return absl::InvalidArgumentError("scram verifier: iteration count is not a number");
  }
  std::string salt(salt_b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&salt[0]),
                          reinterpret_cast<const unsigned char*>(salt_b64.data()),
                          static_cast<int>(salt_b64.size()));
  salt.resize(static_cast<size_t>(Base64DecodedLength(salt_b64)));
  if (n < 0 || salt.empty()) return absl::InvalidArgumentError("scram verifier: bad salt");
  SS_ASSIGN_OR_RETURN(std::string mine, ScramSha256Verifier(password, salt, iterations));
  return mine.size() == stored.size() &&
         CRYPTO_memcmp(mine.data(), stored.data(), mine.size()) == 0;
}

}  // namespace postgres
}  // namespace secretsync

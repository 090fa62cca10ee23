// SHA-256 of a buffer, as lowercase hex (OpenSSL's libcrypto): how a report
// names the content it applied without carrying it.
#ifndef SECRETSYNC_LIB_BASE_SHA256_H_
#define SECRETSYNC_LIB_BASE_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {

// 64 lowercase hex digits. Pure and thread-safe.
std::string Sha256Hex(absl::string_view data);
std::string Sha256Hex(const SecretValue& data);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_SHA256_H_

// Checks the agent's TLS files the way gRPC will use them, so a reload can
// refuse a bad certificate or key before it replaces a working server.
#ifndef SECRETSYNC_LIB_AGENT_TLS_FILES_H_
#define SECRETSYNC_LIB_AGENT_TLS_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/base/filesystem.h"

namespace secretsync {
namespace agent {

struct TlsFiles {
  std::string cert_file;       // server certificate chain (PEM)
  std::string key_file;        // its private key (PEM)
  std::string client_ca_file;  // CA certificates for the callers (PEM)
};

// When the certificate file starts with a parsable certificate, the key
// file holds a parsable private key that belongs to that certificate, and the
// CA file holds at least one parsable certificate. Errors name the flag and
// the file, never the contents: NOT_FOUND for a missing file,
// FAILED_PRECONDITION for one that does not parse or a key that does not
// match; the filesystem's own error otherwise. Reads only; the key's bytes
// are wiped after the check. Returns the SHA-256 digests of the three files'
// contents, so a caller can tell whether they changed.
absl::StatusOr<std::string> CheckTlsFiles(Filesystem& fs, const TlsFiles& files);

// The earliest notAfter of the PEM certificates in `path` (a chain or a CA
// bundle stops working when its first certificate expires), for the expiry
// metric. Errors: NOT_FOUND for a missing file, FAILED_PRECONDITION when no
// certificate parses; the filesystem's own error otherwise.
absl::StatusOr<absl::Time> EarliestNotAfter(Filesystem& fs, const std::string& path);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_TLS_FILES_H_

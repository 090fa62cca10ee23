// TlsCredentials: the receiver's certificate chain and key, swappable while
// serving (SIGHUP reload) through OpenSSL's per-handshake certificate callback.
#ifndef SECRETSYNC_LIB_WEBHOOK_INTERNAL_TLS_CREDENTIALS_H_
#define SECRETSYNC_LIB_WEBHOOK_INTERNAL_TLS_CREDENTIALS_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/filesystem.h"

namespace secretsync {
namespace webhook {
namespace internal {

// Thread-safe. `fs` must outlive it.
class TlsCredentials {
 public:
  TlsCredentials(Filesystem& fs, std::string cert_path, std::string key_path);
  ~TlsCredentials();

  // Reads and checks the PEM files (the key must match the first
  // certificate); on success new handshakes use them. InvalidArgument naming
  // the file otherwise, and the previous credentials stay.
  absl::Status Load();

  // Sets up `ctx` (TLS 1.2 or later) to present the current credentials.
  void Install(SSL_CTX& ctx);

 private:
  struct Loaded;
  static int CertCallback(SSL* ssl, void* arg);

  Filesystem& fs_;
  const std::string cert_path_;
  const std::string key_path_;
  absl::Mutex mu_;
  std::shared_ptr<const Loaded> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace internal
}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_INTERNAL_TLS_CREDENTIALS_H_

// TlsCredentials: PEM parsing from memory (files read through the Filesystem
// seam) and the SSL_CTX certificate callback.
#include "lib/webhook/internal/tls_credentials.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace webhook {
namespace internal {
namespace {

constexpr size_t kMaxPemBytes = 1 << 20;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

}  // namespace

struct TlsCredentials::Loaded {
  ~Loaded() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;
};

TlsCredentials::TlsCredentials(Filesystem& fs, std::string cert_path, std::string key_path)
    : fs_(fs), cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {}

TlsCredentials::~TlsCredentials() = default;

absl::Status TlsCredentials::Load() {
  absl::StatusOr<std::string> cert_pem = fs_.ReadFile(cert_path_, kMaxPemBytes);
  if (!cert_pem.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("tls: cannot read certificate ", cert_path_));
  }
  absl::StatusOr<std::string> key_pem = fs_.ReadFile(key_path_, kMaxPemBytes);
  if (!key_pem.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("tls: cannot read key ", key_path_));
  }
  auto loaded = std::make_shared<Loaded>();
  BioPtr cert_bio(BIO_new_mem_buf(cert_pem->data(), static_cast<int>(cert_pem->size())));
  loaded->cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  if (loaded->cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("tls: no PEM certificate in ", cert_path_));
  }
  loaded->chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(loaded->chain, extra);
  }
  BioPtr key_bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  loaded->key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  WipeString(*key_pem);
  if (loaded->key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("tls: no PEM private key in ", key_path_));
  }
  if (X509_check_private_key(loaded->cert, loaded->key) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls: key ", key_path_, " does not match certificate ", cert_path_));
  }
  absl::MutexLock lock(&mu_);
  current_ = std::move(loaded);
  return absl::OkStatus();
}

void TlsCredentials::Install(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  SSL_CTX_set_cert_cb(&ctx, &TlsCredentials::CertCallback, this);
}

int TlsCredentials::CertCallback(SSL* ssl, void* arg) {
  auto* self = static_cast<TlsCredentials*>(arg);
  std::shared_ptr<const Loaded> loaded;
  {
    absl::MutexLock lock(&self->mu_);
    loaded = self->current_;
  }
  if (loaded == nullptr) return 0;
  // SSL_use_cert_and_key takes its own references.
  return SSL_use_cert_and_key(ssl, loaded->cert, loaded->key, loaded->chain, /*override=*/1);
}

}  // namespace internal
}  // namespace webhook
}  // namespace secretsync

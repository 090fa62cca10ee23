// CheckTlsFiles over OpenSSL's PEM readers on memory BIOs.
#include "lib/agent/tls_files.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <time.h>

#include <algorithm>
#include <memory>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace agent {
namespace {

constexpr size_t kMaxPemFile = 256 * 1024;

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

absl::Status Unusable(absl::string_view flag, const std::string& path, absl::string_view why) {
  ERR_clear_error();  // OpenSSL's queue may quote input; it is never reported
  return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": ", why));
}

absl::StatusOr<std::string> Read(Filesystem& fs, absl::string_view flag, const std::string& path) {
  absl::StatusOr<std::string> text = fs.ReadFile(path, kMaxPemFile);
  if (!text.ok()) return Annotate(text.status(), flag);
  return text;
}

X509Ptr FirstCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr,
                 &X509_free);
}

}  // namespace

absl::StatusOr<std::string> CheckTlsFiles(Filesystem& fs, const TlsFiles& files) {
  SS_ASSIGN_OR_RETURN(std::string cert_pem, Read(fs, "--tls_cert_file", files.cert_file));
  X509Ptr cert = FirstCertificate(cert_pem);
  if (cert == nullptr) return Unusable("--tls_cert_file", files.cert_file, "no PEM certificate");

  SS_ASSIGN_OR_RETURN(std::string key_pem, Read(fs, "--tls_key_file", files.key_file));
  absl::Cleanup wipe = [&key_pem] { OPENSSL_cleanse(key_pem.data(), key_pem.size()); };
  BioPtr bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), &BIO_free);
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr,
             &EVP_PKEY_free);
  if (key == nullptr) return Unusable("--tls_key_file", files.key_file, "no PEM private key");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return Unusable("--tls_key_file", files.key_file,
                    "the key does not belong to the --tls_cert_file certificate");
  }

  SS_ASSIGN_OR_RETURN(std::string ca_pem, Read(fs, "--client_ca_file", files.client_ca_file));
  if (FirstCertificate(ca_pem) == nullptr) {
    return Unusable("--client_ca_file", files.client_ca_file, "no PEM certificate");
  }
  ERR_clear_error();
  std::string digests;
  for (const std::string* part : {&cert_pem, &key_pem, &ca_pem}) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(part->data()), part->size(), d);
    digests.append(reinterpret_cast<const char*>(d), sizeof(d));
  }
  return digests;
}

absl::StatusOr<absl::Time> EarliestNotAfter(Filesystem& fs, const std::string& path) {
  SS_ASSIGN_OR_RETURN(std::string pem, Read(fs, "certificate", path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  absl::Time earliest = absl::InfiniteFuture();
  while (bio != nullptr) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (cert == nullptr) break;
    struct tm not_after = {};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &not_after) != 1) continue;
    earliest = std::min(earliest, absl::FromUnixSeconds(timegm(&not_after)));
  }
  ERR_clear_error();  // the end of the PEM stream leaves an error behind
  if (earliest == absl::InfiniteFuture()) {
    return Unusable("certificate", path, "no PEM certificate");
  }
  return earliest;
}

}  // namespace agent
}  // namespace secretsync

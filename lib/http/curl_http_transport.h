// CurlHttpTransport: HttpTransport over one reused libcurl easy handle.
#ifndef SECRETSYNC_LIB_HTTP_CURL_HTTP_TRANSPORT_H_
#define SECRETSYNC_LIB_HTTP_CURL_HTTP_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/base/http_transport.h"

typedef void CURL;  // as in <curl/curl.h>; keeps curl out of our header

namespace secretsync {
namespace http {

struct CurlTransportOptions {
  std::string ca_bundle;  // PEM file; empty = the system trust store
  // https without peer/host verification: only for the health check of a
  // loopback service with a self-signed certificate (lib/health).
  bool insecure_skip_verify = false;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration request_timeout = absl::Seconds(30);  // whole exchange
  uint64_t max_response_bytes = 64ull << 20;
  std::string user_agent = "secretsync/0.1";
};

namespace internal {
struct CurlEasyDeleter {
  void operator()(CURL* handle) const;
};
}  // namespace internal
using CurlPtr = std::unique_ptr<CURL, internal::CurlEasyDeleter>;

// Sends requests with libcurl. TLS peer and host verification are on
// (system store, or options.ca_bundle) unless insecure_skip_verify; only http and https are allowed;
// redirects are not followed; CURLOPT_VERBOSE is never set (it would print the
// Authorization header). One easy handle is reused, so connections are kept
// alive between requests. Errors: DeadlineExceeded on timeout, OutOfRange when
// the reply exceeds max_response_bytes (the transfer is aborted),
// FailedPrecondition when libcurl cannot be loaded (not retried), Unavailable
// for every other curl failure (connect, TLS, reset). A body that grows
// without Content-Length is moved to a larger buffer by hand, wiping the old
// one (it holds secret values). Thread-compatible: one
// Send at a time.
class CurlHttpTransport : public HttpTransport {
 public:
  explicit CurlHttpTransport(CurlTransportOptions options);
  ~CurlHttpTransport() override;
  CurlHttpTransport(const CurlHttpTransport&) = delete;
  CurlHttpTransport& operator=(const CurlHttpTransport&) = delete;

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  CurlTransportOptions options_;
  CurlPtr handle_;
};

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_CURL_HTTP_TRANSPORT_H_

// DevHttpServer: binds DevApi to cpp-httplib (HTTP or HTTPS), applies the
// transport-level faults and logs one line per request.
#ifndef SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_
#define SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/devserver/dev_api.h"
#include "lib/devserver/fault_injector.h"

namespace httplib {
class ContentReader;
class Server;
class Request;
class Response;
}  // namespace httplib

namespace secretsync {
namespace devserver {

// The default of --max-request-bytes: 1 MiB, far above any request an
// Infisical client sends (a batch write of thousands of secrets) and far
// below what would strain a shared test machine.
constexpr size_t kDefaultMaxRequestBytes = size_t{1} << 20;

struct TlsFiles {
  std::string cert_path;  // PEM; both empty: plain HTTP
  std::string key_path;
};

// Owns the httplib server; `api`, `faults` (may be null), `clock` and `log`
// must outlive it. Bind() then Serve() from one thread; Stop() from any.
//
// A request body over `max_request_bytes` gets 413 in Infisical's error shape
// and never reaches DevApi. The body is never held past the limit: a
// Content-Length above it is refused before any byte is read (httplib's
// payload limit, which then skips the body), and a chunked or unsized body
// is counted as it streams and dropped once over (httplib 0.11.4 applies its
// limit to Content-Length bodies only). Either way the rest of the body is
// read and discarded, so the connection stays usable.
class DevHttpServer {
 public:
  // InvalidArgument when the TLS files cannot be loaded or
  // `max_request_bytes` is 0.
  static absl::StatusOr<std::unique_ptr<DevHttpServer>> Create(
      DevApi& api, FaultInjector* faults, Clock& clock, LogSink& log, const TlsFiles& tls,
      size_t max_request_bytes = kDefaultMaxRequestBytes);
  ~DevHttpServer();

  // Binds host:port (port 0: any free port) and returns the bound port.
  // Unavailable when the address cannot be bound.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Accepts connections until Stop(). Unavailable if the listener fails.
  absl::Status Serve();
  // Makes a running or about-to-start Serve() return (httplib's own stop()
  // is a no-op until its accept loop has started, so this retries).
  void Stop();
  bool tls() const { return tls_; }

 private:
  DevHttpServer(DevApi& api, FaultInjector* faults, Clock& clock, LogSink& log, bool tls,
                size_t max_request_bytes, std::unique_ptr<httplib::Server> server);
  // Reads the body through `reader` within the limit, then HandleHttp().
  void HandleWithBody(const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader);
  void HandleHttp(const httplib::Request& req, std::string body, httplib::Response& res);

  DevApi& api_;
  FaultInjector* faults_;
  Clock& clock_;
  LogSink& log_;
  bool tls_;
  size_t max_request_bytes_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<long long> fault_count_{0};
  std::atomic<long long> refused_count_{0};
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> serve_returned_{false};
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_

// DevHttpServer: binds DevApi to cpp-httplib (HTTP or HTTPS), applies the
// transport-level faults and logs one line per request.
#ifndef SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_
#define SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_

#include <atomic>
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
class Server;
class Request;
class Response;
}  // namespace httplib

namespace secretsync {
namespace devserver {

struct TlsFiles {
  std::string cert_path;  // PEM; both empty: plain HTTP
  std::string key_path;
};

// Owns the httplib server; `api`, `faults` (may be null), `clock` and `log`
// must outlive it. Bind() then Serve() from one thread; Stop() from any.
class DevHttpServer {
 public:
  // InvalidArgument when the TLS files cannot be loaded.
  static absl::StatusOr<std::unique_ptr<DevHttpServer>> Create(DevApi& api, FaultInjector* faults,
                                                               Clock& clock, LogSink& log,
                                                               const TlsFiles& tls);
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
                std::unique_ptr<httplib::Server> server);
  void HandleHttp(const httplib::Request& req, httplib::Response& res);

  DevApi& api_;
  FaultInjector* faults_;
  Clock& clock_;
  LogSink& log_;
  bool tls_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<long long> fault_count_{0};
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> serve_returned_{false};
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_HTTP_SERVER_H_

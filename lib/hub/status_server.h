// The hub's loopback-only status listener: GET /status (StatusBook JSON) and
// GET /healthz, read by `hub --status`.
#ifndef SECRETSYNC_LIB_HUB_STATUS_SERVER_H_
#define SECRETSYNC_LIB_HUB_STATUS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace secretsync {
namespace hub {

// Serves `status()` at GET /status. Bind, then Serve() on one thread, Stop()
// from any. The address must be loopback (the config checks it): the page
// names hosts and projects, never values.
class StatusServer {
 public:
  explicit StatusServer(std::function<std::string()> status);
  ~StatusServer();
  // Binds "HOST:PORT" (port 0: any); returns the port. Unavailable on failure.
  absl::StatusOr<int> Bind(const std::string& address);
  void Serve();
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
};

// GETs http://<address>/status and returns the body. Unavailable when the
// hub does not answer.
absl::StatusOr<std::string> FetchStatus(const std::string& address);

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_STATUS_SERVER_H_

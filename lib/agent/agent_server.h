// Starts the agent's gRPC server: mTLS (or plaintext on loopback when asked),
// the Agent service, the standard health service and, when asked, server
// reflection.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_SERVER_H_
#define SECRETSYNC_LIB_AGENT_AGENT_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace agent {

struct ServerSpec {
  std::string listen;  // "127.0.0.1:7800", "[::1]:0", "0.0.0.0:7800"
  // mTLS: PEM files, read at start and re-read by gRPC every
  // `tls_reload_seconds` (a renewed certificate applies to new handshakes;
  // open connections stay).
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  unsigned int tls_reload_seconds = 300;
  bool plaintext_loopback = false;  // no TLS; `listen` must be a loopback IP
  bool reflection = false;          // serve grpc.reflection.v1alpha
  // False: the port must be free (a plain bind is tried first). True: share
  // it with this agent's running server (a reload on SO_REUSEPORT).
  bool reuse_port = false;
  int max_threads = 16;             // grpc::ResourceQuota::SetMaxThreads (>= 4)
};

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;  // the bound port (useful with port 0)
};

// True for a literal IP in 127.0.0.0/8 or ::1, in "host:port" or
// "[host]:port" form. Names (even "localhost") are not loopback here: they
// could resolve elsewhere.
bool IsLoopbackListenAddress(absl::string_view listen);

// `listen` ("host:port" or "[v6]:port") with its port replaced.
std::string WithPort(const std::string& listen, int port);

// Builds and starts the server with `agent` (which must outlive it). Errors:
// INVALID_ARGUMENT for a plaintext request on a non-loopback address or a
// malformed address; UNAVAILABLE when the address cannot be bound.
absl::StatusOr<RunningServer> StartAgentServer(const ServerSpec& spec, grpc::Service& agent);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_SERVER_H_

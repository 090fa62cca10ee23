// StartAgentServer over grpc::ServerBuilder with TlsServerCredentials.
#include "lib/agent/agent_server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server_builder.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace agent {

bool IsLoopbackListenAddress(absl::string_view listen) {
  std::string host;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == absl::string_view::npos) return false;
    host = std::string(listen.substr(1, close - 1));
  } else {
    size_t colon = listen.rfind(':');
    host = std::string(listen.substr(0, colon));
  }
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

namespace {

std::shared_ptr<grpc::ServerCredentials> TlsCredentials(const ServerSpec& spec) {
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      spec.key_file, spec.cert_file, spec.client_ca_file, spec.tls_reload_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

// Reflection registers as a process-wide plugin; this option takes it out of
// one builder's plugins, so each server decides for itself.
class WithoutReflection : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
                                    return p->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

// UNAVAILABLE when a socket without SO_REUSEPORT cannot bind `listen`, i.e.
// another listener has it (SO_REUSEADDR: TIME_WAIT connections do not count).
absl::Status CheckPortFree(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port == "0") return absl::OkStatus();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found) != 0) {
    return absl::OkStatus();  // gRPC reports what it cannot resolve
  }
  bool busy = false;
  for (addrinfo* a = found; a != nullptr && !busy; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    busy = bind(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE;
    close(fd);
  }
  freeaddrinfo(found);
  if (busy) {
    return absl::UnavailableError(absl::StrCat("listen address ", listen, ": cannot bind (in use)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string WithPort(const std::string& listen, int port) {
  return absl::StrCat(listen.substr(0, listen.rfind(':')), ":", port);
}

absl::StatusOr<RunningServer> StartAgentServer(const ServerSpec& spec, grpc::Service& agent) {
  if (spec.listen.empty() || spec.listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError("listen address: expected host:port");
  }
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (spec.plaintext_loopback) {
    if (!IsLoopbackListenAddress(spec.listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen address ", spec.listen,
          ": plaintext is allowed only on a loopback IP (127.0.0.0/8 or [::1])"));
    }
    creds = grpc::InsecureServerCredentials();
  } else {
    creds = TlsCredentials(spec);
  }
  grpc::EnableDefaultHealthCheckService(true);
  // Linked statically, reflection registers only through this call.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  RunningServer running;
  grpc::ServerBuilder builder;
  if (!spec.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  // Bounds the threads gRPC may create for the sync-API services (reflection)
  // and its pollers; the Agent's own RPCs are callbacks and hold none.
  grpc::ResourceQuota quota("secretsync-agent");
  quota.SetMaxThreads(spec.max_threads);
  builder.SetResourceQuota(quota);
  // SO_REUSEPORT (gRPC's default) lets a reload start the new server on the
  // port while the old one still finishes its calls. So that a second agent
  // cannot share a busy port silently, a first start checks the port with a
  // plain bind first.
  if (!spec.reuse_port) SS_RETURN_IF_ERROR(CheckPortFree(spec.listen));
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 1);
  builder.AddListeningPort(spec.listen, creds, &running.port);
  builder.RegisterService(&agent);
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(absl::StrCat("listen address ", spec.listen, ": cannot bind"));
  }
  return running;
}

}  // namespace agent
}  // namespace secretsync

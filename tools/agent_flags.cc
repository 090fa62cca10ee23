// Flags of //tools:agent.
#include "tools/agent_flags.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:7800", "address:port to serve on ([::1]:7800 for IPv6)");
ABSL_FLAG(std::string, tls_cert_file, "", "server certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "server private key (PEM)");
ABSL_FLAG(std::string, client_ca_file, "", "CA that signs the callers' client certificates (PEM)");
ABSL_FLAG(int32_t, tls_reload_seconds, 300, "how often the TLS files are re-read");
ABSL_FLAG(std::vector<std::string>, allowed_sans, {},
          "client certificate SANs allowed to call, comma-separated (e.g. central.example.org)");
ABSL_FLAG(std::string, allowed_sans_file, "",
          "file with more allowed SANs, one per line; re-read on SIGHUP");
ABSL_FLAG(std::string, token_file, "",
          "file holding a bearer token callers must also send; re-read on SIGHUP");
ABSL_FLAG(bool, insecure_loopback_plaintext, false,
          "serve without TLS; only with --listen on 127.0.0.0/8 or [::1]");
ABSL_FLAG(double, rate_per_minute, 30, "calls a minute allowed per caller identity");
ABSL_FLAG(double, rate_burst, 10, "calls a caller may make at once");
ABSL_FLAG(bool, reflection, false,
          "also serve gRPC server reflection (grpc.reflection.v1alpha) for grpcurl-style tools");
ABSL_FLAG(int32_t, max_threads, 16,
          "most threads gRPC may create for the server (grpc::ResourceQuota; 4 or more)");
ABSL_FLAG(std::string, metrics_listen, "",
          "serve Prometheus /metrics (plain HTTP) on this host:port, e.g. 127.0.0.1:9464; "
          "empty: off. Any other than a loopback address is served as asked, with a warning");
ABSL_FLAG(std::vector<std::string>, deployment_configs, {},
          "deployment config files this agent serves (the first is the default)");

namespace secretsync {
namespace agent {

AgentOptions AgentOptionsFromFlags() {
  AgentOptions o;
  o.listen = absl::GetFlag(FLAGS_listen);
  o.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  o.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  o.client_ca_file = absl::GetFlag(FLAGS_client_ca_file);
  const int32_t reload = absl::GetFlag(FLAGS_tls_reload_seconds);
  o.tls_reload_seconds = reload > 0 ? static_cast<unsigned int>(reload) : 1;
  o.allowed_sans = absl::GetFlag(FLAGS_allowed_sans);
  o.allowed_sans_file = absl::GetFlag(FLAGS_allowed_sans_file);
  o.token_file = absl::GetFlag(FLAGS_token_file);
  o.insecure_loopback_plaintext = absl::GetFlag(FLAGS_insecure_loopback_plaintext);
  o.rate_per_minute = absl::GetFlag(FLAGS_rate_per_minute);
  o.rate_burst = absl::GetFlag(FLAGS_rate_burst);
  o.reflection = absl::GetFlag(FLAGS_reflection);
  o.max_threads = absl::GetFlag(FLAGS_max_threads);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  return o;
}

std::vector<std::string> DeploymentConfigsFromFlags() {
  return absl::GetFlag(FLAGS_deployment_configs);
}

}  // namespace agent
}  // namespace secretsync

// agent: serve secretsync.v1.Agent so a central host can trigger syncs on
// this host. The logic behind //tools:agent.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_COMMAND_H_
#define SECRETSYNC_LIB_AGENT_AGENT_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "lib/agent/agent_events.h"
#include "lib/agent/sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"

namespace secretsync {
namespace agent {

extern const char kAgentUsage[];

struct AgentOptions {
  std::string listen = "0.0.0.0:7800";
  std::string tls_cert_file;   // server certificate chain (PEM)
  std::string tls_key_file;    // its private key (PEM)
  std::string client_ca_file;  // CA that signs the callers' certificates
  unsigned int tls_reload_seconds = 300;
  std::vector<std::string> allowed_sans;  // client certificate SANs allowed
  std::string allowed_sans_file;          // more, one per line ('#' comments); re-read on SIGHUP
  std::string token_file;                 // optional bearer token; re-read on SIGHUP
  bool insecure_loopback_plaintext = false;
  double rate_per_minute = 30;  // per caller identity
  double rate_burst = 10;
  size_t request_cache_size = 1024;
  bool reflection = false;  // serve gRPC server reflection
  int max_threads = 16;     // cap on gRPC's threads (grpc::ResourceQuota)
  // host:port serving Prometheus /metrics over plain HTTP; empty: off. A
  // non-loopback address is served as asked, with a warning in the log.
  std::string metrics_listen;
};

struct AgentDeps {
  Filesystem& fs;
  Clock& clock;
  LogSink& log;
  AgentEvents& events;
  std::function<void(int port)> on_listening;  // optional; tests read the port
};

// Validates `opts`, starts the server and serves until a terminate event:
// then no new sync starts, the running ones finish and their callers get
// their reports, and it returns 0. A reload event re-reads the token file,
// the allowed-SANs file and the TLS files, all or nothing (on any error,
// such as a key that does not match the certificate, everything stays as it
// was and agent.reload_failed is logged); changed TLS files start a new server
// on the same port (SO_REUSEPORT) and the old one stops accepting and
// finishes its calls. gRPC also re-reads the TLS files every
// tls_reload_seconds. With metrics_listen, /metrics serves the agent's
// metrics (AgentMetrics; the certificates' expiry re-read on every reload).
// Returns 64 for bad options, 66 for a missing file, 78 for an unusable one,
// 75 if an address cannot be bound. Writes "agent: listening on <address>
// (port N)" to `out`, then with metrics "agent: metrics on <address> (port
// N)", and errors to `err`.
int RunAgent(const AgentOptions& opts, AgentDeps deps, SyncService& service, std::ostream& out,
             std::ostream& err);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_COMMAND_H_

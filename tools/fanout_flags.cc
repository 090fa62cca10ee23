// Flags of //tools:fanout.
#include "tools/fanout_flags.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::vector<std::string>, hosts, {},
          "agents as host:port or [IPv6]:port, comma-separated; host:port=NAME checks that "
          "agent's certificate against NAME");
ABSL_FLAG(std::string, hosts_file, "",
          "file of agents, one host:port[=NAME] per line ('#' comments)");
ABSL_FLAG(int32_t, parallel, 16, "calls in flight at most (1..1024)");
ABSL_FLAG(absl::Duration, deadline, secretsync::fanout::kDefaultDeadline,
          "per-host deadline (positive, at most 24h); the default exceeds an agent's lock wait "
          "plus a whole sync, so a host past it never applies the sync later");
ABSL_FLAG(bool, stop_on_failure, false, "start no new host after the first that is not ok");
ABSL_FLAG(int32_t, canary, 0,
          "sync the first N hosts first; start the others only when all N are ok and healthy "
          "(0..number of hosts; 0: no canary); after them, no batch starts after one with a "
          "failed or unhealthy host");
ABSL_FLAG(bool, require_health, false,
          "a host counts as healthy only when its health check passed (HEALTHY); by default a "
          "host without a check (or whose sync changed nothing) passes too");
ABSL_FLAG(int32_t, batch, 0,
          "hosts per batch (0: all); with --splay, keeps a fleet behind one NAT address under "
          "Infisical's per-IP rate limit (40 secret reads a minute by default)");
ABSL_FLAG(absl::Duration, splay, absl::ZeroDuration(), "pause between batches, e.g. 60s");
ABSL_FLAG(bool, json, false, "print one JSON document instead of the table");
ABSL_FLAG(std::string, ca_file, "", "CA that signs the agents' server certificates (PEM)");
ABSL_FLAG(std::string, tls_cert_file, "", "this client's certificate (PEM)");
ABSL_FLAG(std::string, tls_key_file, "", "this client's private key (PEM)");
ABSL_FLAG(std::string, tls_server_name, "",
          "name to check the agents' certificates against instead of the host (a host's own "
          "=NAME wins)");
ABSL_FLAG(std::string, token_file, "",
          "bearer token file, if the agents require one (one token for the whole fleet)");
ABSL_FLAG(bool, insecure_loopback_plaintext, false,
          "no TLS; only for agents on 127.0.0.0/8, [::1] or localhost (demos)");
ABSL_FLAG(std::string, deployment, "", "deployment to sync (default: each host's first)");
ABSL_FLAG(bool, dry_run, false, "agents compute the change but write nothing");
ABSL_FLAG(std::string, request_id, "",
          "idempotency key (default: random per run, printed with the results); rerun with "
          "the printed id to retry the hosts that did not succeed (at most 128 bytes)");

ABSL_FLAG(std::string, metrics_file, "",
          "write Prometheus metrics of the run (each host's result, exit code and duration) "
          "to this file (node_exporter textfile collector)");

namespace secretsync {
namespace fanout {

FanoutOptions FanoutOptionsFromFlags() {
  FanoutOptions o;
  o.hosts = absl::GetFlag(FLAGS_hosts);
  o.hosts_file = absl::GetFlag(FLAGS_hosts_file);
  o.parallel = absl::GetFlag(FLAGS_parallel);
  o.deadline = absl::GetFlag(FLAGS_deadline);
  o.stop_on_failure = absl::GetFlag(FLAGS_stop_on_failure);
  o.canary = absl::GetFlag(FLAGS_canary);
  o.require_health = absl::GetFlag(FLAGS_require_health);
  o.batch = absl::GetFlag(FLAGS_batch);
  o.splay = absl::GetFlag(FLAGS_splay);
  o.json = absl::GetFlag(FLAGS_json);
  o.ca_file = absl::GetFlag(FLAGS_ca_file);
  o.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  o.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  o.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  o.token_file = absl::GetFlag(FLAGS_token_file);
  o.insecure_loopback_plaintext = absl::GetFlag(FLAGS_insecure_loopback_plaintext);
  o.deployment = absl::GetFlag(FLAGS_deployment);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.request_id = absl::GetFlag(FLAGS_request_id);
  o.metrics_file = absl::GetFlag(FLAGS_metrics_file);
  return o;
}

}  // namespace fanout
}  // namespace secretsync

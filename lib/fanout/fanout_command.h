// fanout: trigger a sync on many agents now and print each host's result.
// The logic behind //tools:fanout.
#ifndef SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_
#define SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/fanout/agent_client.h"
#include "lib/fanout/host_list.h"

namespace secretsync {
namespace fanout {

extern const char kFanoutUsage[];

// The default per-host deadline. It exceeds the longest an agent with default
// settings takes to answer one call, so that "unreachable" (past the
// deadline) never hides a sync that still runs and applies later:
//   sync lock wait                                         60s  (lib/sync/sync_deployment.h)
// + up to 5 Infisical requests (renew, login, list, and a   1200s (lib/http: 5 attempts x
//   login and list again after a 401), each 5 x 30s + 90s         30s request timeout +
//   of backoff                                                    90s total backoff)
// + the on-change command's timeout                       300s  (lib/config/loader.cc)
// = 1560s (26 min). A call that joins a sync already running waits for it
// first; the request id makes a retry after such a deadline safe.
inline constexpr absl::Duration kDefaultDeadline = absl::Minutes(30);

// Bounds of --parallel.
inline constexpr int kMaxParallel = 1024;

// The longest request id an agent accepts (proto/agent.proto).
inline constexpr size_t kMaxRequestIdBytes = 128;

struct FanoutOptions {
  std::vector<std::string> hosts;  // "host:port" or "host:port=tls-name"
  std::string hosts_file;          // more, one per line
  int parallel = 16;               // calls in flight at most, 1..kMaxParallel
  absl::Duration deadline = kDefaultDeadline;  // per host; finite, positive
  bool stop_on_failure = false;    // no new host after the first non-ok one
  int canary = 0;                  // first N hosts alone first; 0..host count, 0: none
  bool require_health = false;     // a host passes the gate only when HEALTHY
  int batch = 0;                   // hosts per batch; 0: all in one
  absl::Duration splay = absl::ZeroDuration();  // pause between batches
  bool json = false;
  std::string ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
  std::string token_file;
  bool insecure_loopback_plaintext = false;
  std::string deployment;
  bool dry_run = false;
  std::string request_id;  // empty: a random one for this run; at most 128 bytes
  // Prometheus text file of the run (every host's result, exit code and
  // duration; docs/metrics.md), written after every fan-out but --dry_run;
  // a file that cannot be written is a warning and never changes the exit code.
  std::string metrics_file;
};

struct FanoutDeps {
  Filesystem& fs;
  Clock& clock;
  RandomSource& random;
  LogSink& log;
};

// Calls Agent.Sync on every host (at most `parallel` at once, batch by batch
// with `splay` between batches; with --canary, the first N hosts first, see
// FanOut), then prints a table (host, result, health, duration, names
// changed, then the request id) or, with --json, one JSON document (with
// "request_id"), to `out`, and logs one "fanout.host" line per host with the
// request id. When a gate stopped the run it says why on `err`. Every host
// gets the same request id, so running the same command again with
// --request_id=<it> retries safely. Returns 0 when every host is ok; else 77
// when any host refused the caller's identity; else the first permanent code
// of a host in the list (HostExitCode: 66 NOT_FOUND, 65 INVALID_ARGUMENT, 70
// other RPC errors); else 81 when any host rolled back (or held back) its
// change; else 75 (failed, unreachable, rate limited, not started). Before
// any connection: 64 for bad options (also a non-loopback host with
// --insecure_loopback_plaintext, or --canary outside 0..host count), 66 for a
// missing file.
int RunFanout(const FanoutOptions& opts, FanoutDeps deps, std::ostream& out, std::ostream& err);

// Whether `row` lets a rollout go on: ok (exit 0) and HEALTHY, or
// HEALTH_NOT_CHECKED unless `require_health` (no check is configured on that
// host, or its sync changed nothing).
bool PassesGate(const HostResult& row, bool require_health);

struct FanoutRun {
  std::vector<HostResult> rows;  // one per host, in the order given
  std::string stopped;           // why hosts were not started; empty: all started
};

// Runs the calls (exposed for tests; `call` does one host). Phases run one
// after the other: with opts.canary = N > 0, first hosts [0, N), then the rest
// in batches of opts.batch (0: all at once), and the run stops after the
// first phase with a host that does not pass the gate (PassesGate). Without
// --canary every batch runs. With --stop_on_failure no new host starts after
// the first that does not pass, inside a phase too. Hosts not started are
// kSkipped rows whose error says "not started: <why>".
FanoutRun FanOut(const std::vector<HostEntry>& hosts, const FanoutOptions& opts, Clock& clock,
                 const std::function<HostResult(const HostEntry&)>& call);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_

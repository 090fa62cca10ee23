// fanout: trigger a sync on many agents now and print each host's result.
// The logic behind //tools:fanout.
#ifndef SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_
#define SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/fanout/agent_client.h"

namespace secretsync {
namespace fanout {

extern const char kFanoutUsage[];

struct FanoutOptions {
  std::vector<std::string> hosts;  // "host:port"
  std::string hosts_file;          // more, one per line
  int parallel = 16;               // calls in flight at most
  absl::Duration deadline = absl::Seconds(60);  // per host
  bool stop_on_failure = false;    // no new host after the first non-ok one
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
  std::string request_id;  // empty: a random one for this run
};

struct FanoutDeps {
  Filesystem& fs;
  Clock& clock;
  RandomSource& random;
  LogSink& log;
};

// Calls Agent.Sync on every host (at most `parallel` at once, batch by batch
// with `splay` between batches), then prints a table (host, result, names
// changed, duration) or, with --json, one JSON document, to `out`. Every host
// gets the same request id, so running the same command again with
// --request_id is idempotent. Returns 0 when every host is ok; 77 when any
// host refused the caller; 75 when any other host failed, was unreachable or
// was skipped; 64 for bad options; 66 for a missing file.
int RunFanout(const FanoutOptions& opts, FanoutDeps deps, std::ostream& out, std::ostream& err);

// Runs the calls and returns one row per host, in the order given (exposed
// for tests). `call` does one host.
std::vector<HostResult> FanOut(const std::vector<std::string>& hosts, const FanoutOptions& opts,
                               Clock& clock,
                               const std::function<HostResult(const std::string&)>& call);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_FANOUT_COMMAND_H_

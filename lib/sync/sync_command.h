// sync: fetch a project/environment/path from Infisical, render the template
// into the .env atomically (0600), report names of what changed, run the
// on-change command. The logic behind //tools:sync (its flags live in tools/).
#ifndef SECRETSYNC_LIB_SYNC_SYNC_COMMAND_H_
#define SECRETSYNC_LIB_SYNC_SYNC_COMMAND_H_

#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "lib/app/system.h"
#include "lib/config/loader.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {
namespace sync {

extern const char kSyncUsage[];

struct SyncOptions {
  std::string config_path;
  config::ConfigOverrides overrides;  // of config fields (empty = keep the config's)
  bool dry_run = false;     // compute everything, write nothing, run nothing
  bool check = false;       // every offline check of a real run; no network, no writes
  bool json = false;        // report as one JSON object on stdout
  bool run_command = true;  // --norun_command skips the on-change command
  absl::Duration wait_lock = absl::Seconds(60);
  // Prometheus text file written after every run but --check and --dry-run
  // (docs/metrics.md); overrides the config's metrics_file. A file that
  // cannot be written is a warning on stderr and never changes the exit code.
  std::string metrics_file;
  // What main()'s System counted (Infisical requests, token cache); null:
  // nothing is counted beyond this run's own outcome.
  const metrics::RunCounters* counters = nullptr;
};

// Runs one sync and returns the exit code (lib/base/exit_codes.h). On any
// error before the write, the existing .env is left byte-identical. The report
// (stdout) and the log and errors (stderr) carry names, never values.
int RunSync(const SyncOptions& opts, System& sys, std::ostream& out, std::ostream& err);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_SYNC_COMMAND_H_

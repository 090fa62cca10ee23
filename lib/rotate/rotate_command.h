// rotate: replace secrets in Infisical and everywhere they take effect (a
// PostgreSQL role's password), then sync the .env in-process and run the
// on-change command. The logic behind //tools:rotate (its flags live in tools/).
#ifndef SECRETSYNC_LIB_ROTATE_ROTATE_COMMAND_H_
#define SECRETSYNC_LIB_ROTATE_ROTATE_COMMAND_H_

#include <istream>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "lib/app/system.h"
#include "lib/config/loader.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {
namespace rotate {

extern const char kRotateUsage[];

struct RotateOptions {
  std::string config_path;
  config::ConfigOverrides overrides;
  std::string secret;      // --secret NAME
  bool all = false;        // every secret with a generator or a postgres role
  bool due = false;        // those older than their spec's rotation.max_age_days
  bool resume = false;     // finish or undo interrupted rotations
  bool dry_run = false;    // say what would rotate; change nothing
  bool json = false;       // report as one JSON object on stdout
  std::string value_file;  // with --secret: the new value from this 0600 file, "-" = stdin
  absl::Duration wait_lock = absl::Seconds(60);
  // Prometheus text file written after every run but --dry-run
  // (docs/metrics.md); overrides the config's metrics_file. Never changes
  // the exit code.
  std::string metrics_file;
  const metrics::RunCounters* counters = nullptr;  // what main()'s System counted
};

// Runs rotate and returns the exit code (lib/base/exit_codes.h; 80 when a
// rotation is pending and needs --resume). Holds the deployment's lock for
// the whole run. `in` is read only for --value-file -. The report (stdout),
// the log and the errors (stderr) carry names, never values.
int RunRotate(const RotateOptions& opts, System& sys, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ROTATE_COMMAND_H_

// keygen: print generated secrets, or create a spec's missing secrets in
// Infisical (--push). The logic behind //tools:keygen.
#ifndef SECRETSYNC_LIB_KEYGEN_KEYGEN_COMMAND_H_
#define SECRETSYNC_LIB_KEYGEN_KEYGEN_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "lib/app/system.h"
#include "lib/config/loader.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {
namespace keygen {

extern const char kKeygenUsage[];

struct KeygenOptions {
  std::string format = "hex";
  int64_t bytes = -1;   // -1: the format's default
  int64_t length = -1;  // -1: the format's default
  int64_t count = 1;
  std::string config_path;  // with --secret or --push
  std::string secret;       // one secret of the config's spec
  bool push = false;        // create the spec's missing secrets in Infisical
  bool dry_run = false;     // with --push: list what would be created
  config::ConfigOverrides overrides;  // flags win over the config file
  // With --push (not --dry-run): Prometheus text file (docs/metrics.md);
  // overrides the config's metrics_file; never changes the exit code.
  std::string metrics_file;
  const metrics::RunCounters* counters = nullptr;  // what main()'s System counted
};

// Runs keygen and returns the process exit code (lib/base/exit_codes.h).
// Values go to `out` only (one per line, or NAME=value for a whole spec);
// --push prints only the names it created. Errors go to `err`.
// Uses sys.random, sys.env, sys.log, sys.fs (the config) and sys.stores
// (--push only).
int RunKeygen(const KeygenOptions& opts, System& sys, std::ostream& out, std::ostream& err);

}  // namespace keygen
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_KEYGEN_KEYGEN_COMMAND_H_

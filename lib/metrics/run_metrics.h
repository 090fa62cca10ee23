// The samples of a one-shot run: its outcome, its Infisical counters, and
// the rotation state of the deployment's rotatable secrets. sync, rotate and
// keygen --push build their RunMetrics from these.
#ifndef SECRETSYNC_LIB_METRICS_RUN_METRICS_H_
#define SECRETSYNC_LIB_METRICS_RUN_METRICS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "lib/app/system.h"
#include "lib/base/filesystem.h"
#include "lib/config/deployment.h"
#include "lib/metrics/metrics_file.h"
#include "lib/metrics/run_counters.h"
#include "lib/metrics/secret_observer.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace metrics {

// Last run time, duration, exit code, runs_total{result}, and the last
// success time when `exit_code` is 0.
void AddRunOutcome(RunMetrics& m, absl::Time started, absl::Time finished, int exit_code);

// Token cache hits and misses, Infisical requests and their latency.
void AddCounters(RunMetrics& m, const RunCounters& counters);

// For each secret whose spec has a rotation: rotation_pending (its journal
// exists, or `<NAME>__PENDING` was listed), and, when the store listed it
// with an updatedAt, its age at `now`, and its max age when the spec sets
// max_age_days. A journal that cannot be checked leaves the secret's pending
// series out.
void AddRotationState(RunMetrics& m, const config::Deployment& d, const SecretObserver& observer,
                      absl::Time now, Filesystem& fs);

// A sync's run: outcome, secrets changed, the on-change command's result.
void AddSyncReport(RunMetrics& m, const v1::SyncReport& report);

// The metrics file a deployment names: `flag_path` when set, else the
// config's metrics_file (a relative one against the config file's folder);
// "" when neither.
std::string MetricsFilePath(const std::string& flag_path, const config::Deployment& d);

// What a one-shot tool knows at its end, for WriteRunMetricsOrWarn. Pointers
// are null when the run did not get that far (or counted nothing).
struct RunRecord {
  RunRecord(std::string tool, std::string flag_path, std::string config_path,
            absl::Time started, const RunCounters* counters)
      : tool(std::move(tool)),
        flag_path(std::move(flag_path)),
        config_path(std::move(config_path)),
        started(started),
        counters(counters) {}
  std::string tool;            // "sync", "rotate", "keygen"
  std::string flag_path;       // --metrics_file ("" = the config's)
  std::string config_path;     // --config, for the label when the config did not load
  absl::Time started;
  int exit_code = 0;
  const RunCounters* counters = nullptr;
  const config::Deployment* deployment = nullptr;
  const v1::SyncReport* sync = nullptr;  // the run's sync, if one ran
  const SecretObserver* observer = nullptr;
};

// Builds the run's metrics (outcome; counters; the sync's changes and
// on-change result; the rotation state when the deployment loaded) and
// writes them to the flag's path (resolved like every command-line path)
// or the config's metrics_file, warning on `err` if that fails. Does
// nothing when neither names a file. Never changes the exit code.
void WriteRunMetricsOrWarn(const RunRecord& run, System& sys, std::ostream& err);

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_RUN_METRICS_H_

// The samples of a one-shot run: its outcome, its Infisical counters, and
// the rotation state of the deployment's rotatable secrets. sync, rotate and
// keygen --push build their RunMetrics from these.
#ifndef SECRETSYNC_LIB_METRICS_RUN_METRICS_H_
#define SECRETSYNC_LIB_METRICS_RUN_METRICS_H_

#include "absl/time/time.h"
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

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_RUN_METRICS_H_

// The metrics file of a one-shot run (sync, rotate, keygen --push, fanout):
// Prometheus text format for node_exporter's textfile collector
// (text_exposition.h), merged with the previous file so counters stay monotonic.
#ifndef SECRETSYNC_LIB_METRICS_METRICS_FILE_H_
#define SECRETSYNC_LIB_METRICS_METRICS_FILE_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/metrics/text_exposition.h"

namespace secretsync {
namespace metrics {

// One series: a metric name from docs/metrics.md, its labels (names only,
// never a secret value) and its value.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// What one run sets (gauges) and adds (counters). The writer adds the
// `deployment` and `tool` labels to every sample; the series of one
// (deployment, tool) pair belong to that run.
struct RunMetrics {
  std::string tool;        // "sync", "rotate", "keygen", "fanout"
  std::string deployment;  // DeploymentLabel()
  std::vector<Sample> samples;
  void Add(absl::string_view name, double value, Labels labels = {});
};

// The metric names (prefix secretsync_). Counters end in _total.
inline constexpr char kLastRunTimestamp[] = "secretsync_last_run_timestamp_seconds";
inline constexpr char kLastSuccessTimestamp[] = "secretsync_last_success_timestamp_seconds";
inline constexpr char kLastExitCode[] = "secretsync_last_exit_code";
inline constexpr char kLastRunDuration[] = "secretsync_last_run_duration_seconds";
inline constexpr char kRunsTotal[] = "secretsync_runs_total";
inline constexpr char kSecretsChanged[] = "secretsync_last_run_secrets_changed";
inline constexpr char kOnChangeRan[] = "secretsync_on_change_ran";
inline constexpr char kOnChangeExitCode[] = "secretsync_on_change_exit_code";
inline constexpr char kRotationPending[] = "secretsync_rotation_pending";
inline constexpr char kSecretAge[] = "secretsync_secret_age_seconds";
inline constexpr char kSecretMaxAge[] = "secretsync_secret_max_age_seconds";
inline constexpr char kTokenCacheHits[] = "secretsync_token_cache_hits_total";
inline constexpr char kTokenCacheMisses[] = "secretsync_token_cache_misses_total";
inline constexpr char kInfisicalRequests[] = "secretsync_infisical_requests_total";
inline constexpr char kInfisicalRequestSeconds[] =
    "secretsync_infisical_request_duration_seconds_total";
inline constexpr char kFanoutHostSuccess[] = "secretsync_fanout_host_success";
inline constexpr char kFanoutHostExitCode[] = "secretsync_fanout_host_exit_code";
inline constexpr char kFanoutHostDuration[] = "secretsync_fanout_host_duration_seconds";

// The `deployment` label of a config: its file's basename without the
// extension ("/etc/secretsync/glitchtip.textproto" -> "glitchtip").
std::string DeploymentLabel(absl::string_view config_path);

// The series of a metrics file this writer wrote; lines it cannot read
// (comments, other formats) are skipped.
std::vector<Sample> ParseMetricsText(absl::string_view text);

// The new file's text: `run`'s samples, plus from `previous` (the old file's
// text, "" when none) every series of another (deployment, tool) pair as it
// was, the counters of this pair added to this run's (so _total never goes
// down), and this pair's last-success timestamp when this run set none (it
// failed). Series of unknown names are dropped. SS_CHECKs that every sample
// of `run` has a known name.
std::string RenderMetrics(absl::string_view previous, const RunMetrics& run);

// Reads the previous file at `path` (not through a symbolic link; a missing,
// unreadable or foreign file counts as empty), renders, and replaces `path`
// atomically (temp file in the same folder, fsync, rename over the name
// itself, never over a link's target; mode 0644). Errors: those of the
// filesystem (NotFound for a missing folder, PermissionDenied, ...); on error
// the old file is unchanged.
absl::Status WriteMetricsFile(Filesystem& fs, absl::string_view path, const RunMetrics& run);

// WriteMetricsFile; a failure is one warning on `err` naming the path and
// the reason ("<tool>: warning: metrics file <path> not written: <why>"),
// never an error: the caller's exit code does not change. Does nothing when
// `path` is empty.
void WriteMetricsFileOrWarn(Filesystem& fs, absl::string_view path, const RunMetrics& run,
                            std::ostream& err);

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_METRICS_FILE_H_

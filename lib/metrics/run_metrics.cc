// Run metrics: outcome, counters, rotation state.
#include "lib/metrics/run_metrics.h"

#include <optional>
#include <string>
#include <vector>

#include "lib/sync/pending_rotation.h"

namespace secretsync {
namespace metrics {

void AddRunOutcome(RunMetrics& m, absl::Time started, absl::Time finished, int exit_code) {
  m.Add(kLastRunTimestamp, absl::ToDoubleSeconds(finished - absl::UnixEpoch()));
  m.Add(kLastRunDuration, absl::ToDoubleSeconds(finished - started));
  m.Add(kLastExitCode, exit_code);
  if (exit_code == 0) m.Add(kLastSuccessTimestamp, absl::ToDoubleSeconds(finished - absl::UnixEpoch()));
  m.Add(kRunsTotal, 1, {{"result", exit_code == 0 ? "success" : "failure"}});
  m.Add(kRunsTotal, 0, {{"result", exit_code == 0 ? "failure" : "success"}});
}

void AddCounters(RunMetrics& m, const RunCounters& counters) {
  m.Add(kTokenCacheHits, counters.token_cache_hits());
  m.Add(kTokenCacheMisses, counters.token_cache_misses());
  for (const auto& [key, count] : counters.requests()) {
    const Labels labels = {{"method", key.first}, {"status_class", key.second}};
    m.Add(kInfisicalRequests, count.requests, labels);
    m.Add(kInfisicalRequestSeconds, count.seconds, labels);
  }
}

void AddRotationState(RunMetrics& m, const config::Deployment& d, const SecretObserver& observer,
                      absl::Time now, Filesystem& fs) {
  const std::map<std::string, absl::Time> seen = observer.seen();
  // Names only: PendingRotationReason looks for `<NAME>__PENDING` by name.
  std::vector<infisical::SecretRecord> listed;
  for (const auto& entry : seen) {
    infisical::SecretRecord r;
    r.name = entry.first;
    listed.push_back(std::move(r));
  }
  for (const v1::SecretSpec& spec : d.config.secrets()) {
    if (!spec.has_rotation()) continue;
    const Labels labels = {{"secret", spec.name()}};
    absl::StatusOr<std::optional<std::string>> pending =
        sync::PendingRotationReason(d, spec.name(), listed, fs);
    if (pending.ok()) m.Add(kRotationPending, pending->has_value() ? 1 : 0, labels);
    const auto it = seen.find(spec.name());
    if (it != seen.end() && it->second != absl::InfinitePast()) {
      m.Add(kSecretAge, absl::ToDoubleSeconds(now - it->second), labels);
    }
    if (spec.rotation().max_age_days() > 0) {
      m.Add(kSecretMaxAge, spec.rotation().max_age_days() * 86400.0, labels);
    }
  }
}

void AddSyncReport(RunMetrics& m, const v1::SyncReport& report) {
  m.Add(kSecretsChanged, report.added_size() + report.changed_size() + report.removed_size());
  m.Add(kOnChangeRan, report.command().ran() ? 1 : 0);
  if (report.command().ran()) m.Add(kOnChangeExitCode, report.command().exit_code());
}

std::string MetricsFilePath(const std::string& flag_path, const config::Deployment& d) {
  if (!flag_path.empty()) return flag_path;
  const std::string& configured = d.config.metrics_file();
  if (configured.empty() || configured[0] == '/') return configured;
  const size_t slash = d.config_path.rfind('/');
  if (slash == std::string::npos) return configured;
  return d.config_path.substr(0, slash + 1) + configured;
}

}  // namespace metrics
}  // namespace secretsync

// AgentMetrics over prometheus-cpp's registry, plus an ExpiryGauge for the
// certificates (computed at scrape time, so it keeps falling between reloads).
#include "lib/agent/agent_metrics.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace secretsync {
namespace agent {

namespace {

// 10 ms .. 5 min: a warm sync with nothing to do takes tens of milliseconds;
// one that restarts containers can take minutes.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return *kBuckets;
}

const char* ReasonLabel(RefusalReason reason) {
  switch (reason) {
    case RefusalReason::kNotAllowed:
      return "not_allowed";
    case RefusalReason::kToken:
      return "token";
    case RefusalReason::kRateLimit:
      return "rate_limit";
  }
  return "other";
}

}  // namespace

std::string SyncOutcomeLabel(const absl::StatusOr<secretsync::v1::SyncReport>& result) {
  if (!result.ok()) return absl::AsciiStrToLower(absl::StatusCodeToString(result.status().code()));
  const int code = result->exit_code();
  if (code == 0) return "ok";
  if (code > 0 && code < 256) return absl::StrCat("exit_", code);
  return "exit_other";
}

AgentMetrics::AgentMetrics(Clock& clock)
    : registry_(std::make_shared<prometheus::Registry>()),
      certificates_(std::make_shared<metrics::ExpiryGauge>(
          "secretsync_agent_certificate_expiry_seconds",
          "Seconds until the agent's TLS certificate expires (negative: expired)", "cert", clock)),
      calls_(prometheus::BuildCounter()
                 .Name("secretsync_agent_sync_calls_total")
                 .Help("Admitted Sync calls by caller identity and outcome")
                 .Register(*registry_)),
      refusals_(prometheus::BuildCounter()
                    .Name("secretsync_agent_refusals_total")
                    .Help("Calls refused before anything ran, by RPC and reason")
                    .Register(*registry_)),
      coalesced_(prometheus::BuildCounter()
                     .Name("secretsync_agent_coalesced_calls_total")
                     .Help("Sync calls answered by a sync another call triggered")
                     .Register(*registry_)
                     .Add({})),
      in_flight_(prometheus::BuildGauge()
                     .Name("secretsync_agent_syncs_in_flight")
                     .Help("Syncs running now")
                     .Register(*registry_)
                     .Add({})),
      duration_(prometheus::BuildHistogram()
                    .Name("secretsync_agent_sync_duration_seconds")
                    .Help("How long each sync (real or dry run) took, by deployment")
                    .Register(*registry_)),
      last_success_(prometheus::BuildGauge()
                        .Name("secretsync_agent_last_success_timestamp_seconds")
                        .Help("Unix time of the last real sync that exited 0, by deployment")
                        .Register(*registry_)) {
  // Zero series from the start, so rate() and alerts see the first refusal.
  for (const char* rpc : {"Sync", "GetStatus"}) {
    for (RefusalReason r :
         {RefusalReason::kNotAllowed, RefusalReason::kToken, RefusalReason::kRateLimit}) {
      refusals_.Add({{"rpc", rpc}, {"reason", ReasonLabel(r)}});
    }
  }
}

std::string AgentMetrics::CallerLabel(const std::string& caller) {
  std::lock_guard<std::mutex> l(mu_);
  if (callers_.count(caller) != 0) return caller;
  if (static_cast<int>(callers_.size()) >= kMaxCallerLabels) return "other";
  callers_.insert(caller);
  return caller;
}

void AgentMetrics::Refused(const std::string& rpc, RefusalReason reason) {
  refusals_.Add({{"rpc", rpc}, {"reason", ReasonLabel(reason)}}).Increment();
}

void AgentMetrics::CallFinished(const std::string& caller,
                                const absl::StatusOr<secretsync::v1::SyncReport>& result) {
  calls_.Add({{"caller", CallerLabel(caller)}, {"outcome", SyncOutcomeLabel(result)}}).Increment();
}

void AgentMetrics::SyncStarted(const std::string& /*deployment*/, bool /*dry_run*/) {
  in_flight_.Increment();
}

void AgentMetrics::SyncFinished(const std::string& deployment, bool dry_run, int exit_code,
                                absl::Time end, absl::Duration took, int coalesced) {
  in_flight_.Decrement();
  duration_.Add({{"deployment", deployment}}, DurationBuckets())
      .Observe(absl::ToDoubleSeconds(took));
  if (coalesced > 0) coalesced_.Increment(coalesced);
  if (!dry_run && exit_code == 0) {
    last_success_.Add({{"deployment", deployment}})
        .Set(absl::ToDoubleSeconds(end - absl::UnixEpoch()));
  }
}

void AgentMetrics::SetCertificateExpiry(const std::string& cert, absl::Time not_after) {
  certificates_->Set(cert, not_after);
}

std::vector<std::weak_ptr<prometheus::Collectable>> AgentMetrics::Collectables() const {
  return {registry_, certificates_};
}

std::string AgentMetrics::Text() const {
  std::vector<prometheus::MetricFamily> all = registry_->Collect();
  for (auto& f : certificates_->Collect()) all.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace agent
}  // namespace secretsync

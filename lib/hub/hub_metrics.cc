// HubMetrics over prometheus-cpp's registry.
#include "lib/hub/hub_metrics.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "prometheus/text_serializer.h"

namespace secretsync {
namespace hub {
namespace {

// 50 ms .. 30 min: a fan-out is as long as its slowest host's sync, and its
// deadline is minutes.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800};
  return *kBuckets;
}

}  // namespace

HubMetrics::HubMetrics(const std::vector<std::string>& route_names, Clock& clock)
    : registry_(std::make_shared<prometheus::Registry>()),
      certificates_(std::make_shared<metrics::ExpiryGauge>(
          "secretsync_hub_certificate_expiry_seconds",
          "Seconds until the hub's webhook listener certificate expires (negative: expired)",
          "cert", clock)),
      deliveries_(prometheus::BuildCounter()
                      .Name("secretsync_hub_deliveries_total")
                      .Help("Verified webhook deliveries by outcome (routed, no_route, test)")
                      .Register(*registry_)),
      refusals_(prometheus::BuildCounter()
                    .Name("secretsync_hub_refusals_total")
                    .Help("Webhook POSTs refused (nothing triggered), by HTTP status")
                    .Register(*registry_)),
      fanouts_(prometheus::BuildCounter()
                   .Name("secretsync_hub_fanouts_total")
                   .Help("Fan-outs (retries included) by route and result: ok when every host "
                         "synced, else failed")
                   .Register(*registry_)),
      host_syncs_(prometheus::BuildCounter()
                      .Name("secretsync_hub_host_syncs_total")
                      .Help("Hosts called by the fan-outs, by route and result")
                      .Register(*registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("secretsync_hub_fanouts_in_flight")
                     .Help("Fan-outs running now")
                     .Register(*registry_)
                     .Add({})),
      duration_(prometheus::BuildHistogram()
                    .Name("secretsync_hub_fanout_duration_seconds")
                    .Help("How long each fan-out took, by route")
                    .Register(*registry_)),
      last_success_(prometheus::BuildGauge()
                        .Name("secretsync_hub_last_success_timestamp_seconds")
                        .Help("Unix time of the route's last fan-out in which every host synced")
                        .Register(*registry_)) {
  // Zero series from the start, so increase() and alerts see the first event.
  for (const char* outcome : {"routed", "no_route", "test"}) deliveries_.Add({{"outcome", outcome}});
  for (const char* status : {"400", "401", "413"}) refusals_.Add({{"status", status}});
  for (const std::string& route : route_names) {
    for (const char* result : {"ok", "failed"}) fanouts_.Add({{"route", route}, {"result", result}});
  }
}

void HubMetrics::Delivered(const std::string& outcome) {
  deliveries_.Add({{"outcome", absl::StrReplaceAll(outcome, {{" ", "_"}})}}).Increment();
}

void HubMetrics::Refused(int http_status) {
  refusals_.Add({{"status", absl::StrCat(http_status)}}).Increment();
}

void HubMetrics::FanoutStarted() { in_flight_.Increment(); }

void HubMetrics::FanoutFinished(const std::string& route,
                                const std::vector<fanout::HostResult>& hosts, absl::Duration took,
                                absl::Time end) {
  in_flight_.Decrement();
  bool all_ok = true;
  for (const fanout::HostResult& h : hosts) {
    all_ok = all_ok && h.outcome == fanout::Outcome::kOk;
    host_syncs_.Add({{"route", route}, {"result", fanout::OutcomeName(h.outcome)}}).Increment();
  }
  fanouts_.Add({{"route", route}, {"result", all_ok ? "ok" : "failed"}}).Increment();
  duration_.Add({{"route", route}}, DurationBuckets()).Observe(absl::ToDoubleSeconds(took));
  if (all_ok) {
    last_success_.Add({{"route", route}}).Set(absl::ToDoubleSeconds(end - absl::UnixEpoch()));
  }
}

void HubMetrics::SetCertificateExpiry(const std::string& cert, absl::Time not_after) {
  certificates_->Set(cert, not_after);
}

std::vector<std::weak_ptr<prometheus::Collectable>> HubMetrics::Collectables() const {
  return {registry_, certificates_};
}

std::string HubMetrics::Text() const {
  std::vector<prometheus::MetricFamily> all = registry_->Collect();
  for (auto& f : certificates_->Collect()) all.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace hub
}  // namespace secretsync

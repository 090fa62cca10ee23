// ExpiryGauge: one gauge family rendered from the stored times at scrape time.
#include "lib/metrics/expiry_gauge.h"

#include <utility>

namespace secretsync {
namespace metrics {

void ExpiryGauge::Set(const std::string& key, absl::Time not_after) {
  std::lock_guard<std::mutex> l(mu_);
  not_after_[key] = not_after;
}

std::vector<prometheus::MetricFamily> ExpiryGauge::Collect() const {
  const absl::Time now = clock_.TimeNow();
  std::lock_guard<std::mutex> l(mu_);
  if (not_after_.empty()) return {};
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Gauge;
  for (const auto& [key, not_after] : not_after_) {
    prometheus::ClientMetric metric;
    metric.label.push_back({label_, key});
    metric.gauge.value = absl::ToDoubleSeconds(not_after - now);
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

}  // namespace metrics
}  // namespace secretsync

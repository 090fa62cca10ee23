// ExpiryGauge: a gauge of "seconds until <time>" per label value, computed at
// each scrape so it keeps falling between updates (the daemons' certificate
// expiry: secretsync_agent_/secretsync_hub_certificate_expiry_seconds).
#ifndef SECRETSYNC_LIB_METRICS_EXPIRY_GAUGE_H_
#define SECRETSYNC_LIB_METRICS_EXPIRY_GAUGE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace secretsync {
namespace metrics {

// One family `name`, labelled `label`="<key>", value not_after - now in
// seconds (negative once passed). Nothing is exposed until a first Set.
// Thread-safe; `clock` must outlive it.
class ExpiryGauge final : public prometheus::Collectable {
 public:
  ExpiryGauge(std::string name, std::string help, std::string label, Clock& clock)
      : name_(std::move(name)), help_(std::move(help)), label_(std::move(label)), clock_(clock) {}

  void Set(const std::string& key, absl::Time not_after);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const std::string label_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, absl::Time> not_after_;  // guarded by mu_
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_EXPIRY_GAUGE_H_

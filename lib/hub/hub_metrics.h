// The hub's Prometheus metrics (secretsync_hub_*), served by --metrics_listen:
// deliveries by outcome, refusals by HTTP status, fan-outs and host syncs by
// route and result, fan-outs in flight, fan-out duration, each route's last
// fully successful fan-out, and the listener certificate's expiry.
#ifndef SECRETSYNC_LIB_HUB_HUB_METRICS_H_
#define SECRETSYNC_LIB_HUB_HUB_METRICS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/fanout/agent_client.h"
#include "lib/metrics/expiry_gauge.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace secretsync {
namespace hub {

// Labels are route names (from the config: bounded), outcomes, results and
// status codes: never a project's secrets, paths or values. Thread-safe.
class HubMetrics {
 public:
  // `route_names` get their zero series at once; `clock` (for the expiry at
  // each scrape) must outlive this object.
  HubMetrics(const std::vector<std::string>& route_names, Clock& clock);

  // A verified delivery: "routed", "no route", "test" (a space becomes "_").
  void Delivered(const std::string& outcome);
  // A POST answered with `http_status` >= 400 (nothing triggered).
  void Refused(int http_status);
  void FanoutStarted();
  // One fan-out of `route` ended at `end` after `took`, with one row per host.
  void FanoutFinished(const std::string& route, const std::vector<fanout::HostResult>& hosts,
                      absl::Duration took, absl::Time end);
  // secretsync_hub_certificate_expiry_seconds{cert}.
  void SetCertificateExpiry(const std::string& cert, absl::Time not_after);

  std::vector<std::weak_ptr<prometheus::Collectable>> Collectables() const;
  // The text exposition, as /metrics serves it (tests).
  std::string Text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<metrics::ExpiryGauge> certificates_;
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Family<prometheus::Counter>& fanouts_;
  prometheus::Family<prometheus::Counter>& host_syncs_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Gauge>& last_success_;
};

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_HUB_METRICS_H_

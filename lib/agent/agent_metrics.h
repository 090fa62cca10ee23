// The agent's Prometheus metrics (secretsync_agent_*): an AgentObserver that
// counts calls, refusals and syncs, and the TLS certificates' time to expiry.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_METRICS_H_
#define SECRETSYNC_LIB_AGENT_AGENT_METRICS_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/agent/agent_observer.h"
#include "lib/base/clock.h"
#include "lib/metrics/expiry_gauge.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace secretsync {
namespace agent {

// Label values are names and codes only. The caller label takes at most
// kMaxCallerLabels distinct identities (allowed SANs, "loopback"); later ones
// count as "other", so a large allow-list cannot grow the series without
// bound. Refusals carry no caller (a refused caller is not trusted to name
// itself). Owns its registry; Collectables() are what an exposer serves.
// Thread-safe.
class AgentMetrics final : public AgentObserver {
 public:
  static constexpr int kMaxCallerLabels = 64;

  // `clock` gives "now" for the certificate expiry at each scrape; it must
  // outlive this object.
  explicit AgentMetrics(Clock& clock);

  void Refused(const std::string& rpc, RefusalReason reason) override;
  void CallFinished(const std::string& caller,
                    const absl::StatusOr<secretsync::v1::SyncReport>& result) override;
  void SyncStarted(const std::string& deployment, bool dry_run) override;
  void SyncFinished(const std::string& deployment, bool dry_run, int exit_code, absl::Time end,
                    absl::Duration took, int coalesced) override;

  // Records when the certificate `cert` ("server" or "client_ca") expires;
  // secretsync_agent_certificate_expiry_seconds{cert} is then that time
  // minus the scrape's now (negative once expired).
  void SetCertificateExpiry(const std::string& cert, absl::Time not_after);

  // The registry and the certificate gauge, for MetricsExposer::Start.
  std::vector<std::weak_ptr<prometheus::Collectable>> Collectables() const;

  // The text exposition of everything, as /metrics serves it (tests).
  std::string Text() const;

 private:
  std::string CallerLabel(const std::string& caller);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<metrics::ExpiryGauge> certificates_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Counter& coalesced_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Gauge>& last_success_;

  std::mutex mu_;                  // guards callers_
  std::set<std::string> callers_;  // the identities with a label of their own
};

// The outcome label of a Sync call: "ok" for a report with exit 0,
// "exit_<code>" for another exit code (1..255; "exit_other" beyond), and the
// lowercase gRPC-style code name of an error ("deadline_exceeded").
std::string SyncOutcomeLabel(const absl::StatusOr<secretsync::v1::SyncReport>& result);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_METRICS_H_

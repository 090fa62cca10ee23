// Serves Prometheus collectables at /metrics over HTTP with prometheus-cpp's
// Exposer (civetweb): the daemons' (agent, later the hub) --metrics_listen.
#ifndef SECRETSYNC_LIB_METRICS_METRICS_EXPOSER_H_
#define SECRETSYNC_LIB_METRICS_METRICS_EXPOSER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"

namespace secretsync {
namespace metrics {

struct ExposerOptions {
  // "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; port 0 picks a free one.
  // A host is required: civetweb would take a bare port as every interface.
  std::string listen;
  // civetweb's worker threads (plus its one listener thread): scrapes are
  // rare and small, so an idle daemon keeps few threads.
  int threads = 2;
};

// A running /metrics endpoint. It holds the collectables weakly: the caller
// keeps them alive (a collectable already gone is skipped at the next
// scrape). The destructor stops the server, waiting for a scrape in progress.
// Thread-safe (prometheus-cpp's collectables are).
class MetricsExposer {
 public:
  // Binds `options.listen` and serves GET /metrics with the text exposition of
  // `collectables`. Errors: INVALID_ARGUMENT for an address without a host or
  // a port, or threads < 1; UNAVAILABLE when the address cannot be bound (in
  // use, not local).
  static absl::StatusOr<std::unique_ptr<MetricsExposer>> Start(
      const ExposerOptions& options,
      const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables);

  // The bound port (useful with port 0).
  int port() const { return port_; }

 private:
  MetricsExposer(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_METRICS_EXPOSER_H_

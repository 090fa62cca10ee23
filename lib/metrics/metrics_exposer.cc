// MetricsExposer: checks the address, then turns prometheus-cpp's exceptions
// (civetweb cannot bind) into a Status at this one boundary.
#include "lib/metrics/metrics_exposer.h"

#include <exception>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace metrics {
namespace {

absl::Status CheckListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(absl::string_view(listen).substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen ", listen, ": want host:port, e.g. 127.0.0.1:9464"));
  }
  if (absl::StartsWith(listen, "[") != absl::StrContains(listen, "]:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--metrics_listen ", listen, ": write IPv6 as [::1]:9464"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsExposer>> MetricsExposer::Start(
    const ExposerOptions& options,
    const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables) {
  if (absl::Status s = CheckListen(options.listen); !s.ok()) return s;
  if (options.threads < 1) return absl::InvalidArgumentError("metrics exposer: threads < 1");
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
        "listening_ports", options.listen, "num_threads", std::to_string(options.threads),
        // a client that stalls does not hold a worker
        "request_timeout_ms", "10000"});
  } catch (const std::exception&) {  // civetweb's message names no secret, but is vague
    return absl::UnavailableError(
        absl::StrCat("--metrics_listen ", options.listen, ": cannot listen (in use?)"));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("--metrics_listen ", options.listen, ": no listening port"));
  }
  for (const auto& c : collectables) exposer->RegisterCollectable(c);
  return std::unique_ptr<MetricsExposer>(new MetricsExposer(std::move(exposer), ports.front()));
}

}  // namespace metrics
}  // namespace secretsync

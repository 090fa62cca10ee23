// Flags of //tools:hub.
#include "tools/hub_flags.h"

#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, config, "", "hub config (text-format HubConfig, see docs/hub.md); required");
ABSL_FLAG(bool, status, false,
          "print the running hub's recent deliveries and last fan-outs (JSON) from "
          "listen.status_address, then exit");
ABSL_FLAG(bool, check, false, "load and check the config, key and TLS files, then exit");
ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT serving Prometheus /metrics (plain HTTP, e.g. 127.0.0.1:9465); empty: off");

namespace secretsync {
namespace hub {

HubOptions HubOptionsFromFlags() {
  HubOptions o;
  o.config = absl::GetFlag(FLAGS_config);
  o.status = absl::GetFlag(FLAGS_status);
  o.check = absl::GetFlag(FLAGS_check);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  return o;
}

}  // namespace hub
}  // namespace secretsync

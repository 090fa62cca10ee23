// hub: receives Infisical webhook deliveries and fans each change out to the
// agents of the routes it matches. The logic behind //tools:hub.
#ifndef SECRETSYNC_LIB_HUB_HUB_COMMAND_H_
#define SECRETSYNC_LIB_HUB_HUB_COMMAND_H_

#include <ostream>
#include <string>

#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"

namespace secretsync {
namespace hub {

extern const char kHubUsage[];

struct HubOptions {
  std::string config;  // HubConfig text file; required
  bool status = false;  // print the running hub's status page and exit
  bool check = false;   // load and check the config and the key files, then exit
  // "HOST:PORT" serving Prometheus /metrics (plain HTTP; loopback unless a
  // scraper elsewhere needs it); empty: off.
  std::string metrics_listen;
};

struct HubDeps {
  Filesystem& fs;
  Clock& clock;
  RandomSource& random;
  LogSink& log;
};

// Loads the config, the webhook key and the agents' client files, then
// serves until SIGTERM/SIGINT (SIGHUP rereads the listener's TLS files).
// Prints "listening on http(s)://HOST:PORT" (and "status on http://...",
// "metrics on http://...") first. Returns 0 when stopped by a signal; before serving 64 (no --config),
// 78 (bad config, key file readable by others, plaintext off loopback), 66
// (a file missing), 77 (a file unreadable), 75 (cannot bind). With --status,
// prints the running hub's status JSON: 0, or 75 when it does not answer.
int RunHub(const HubOptions& options, HubDeps deps, std::ostream& out, std::ostream& err);

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_HUB_COMMAND_H_

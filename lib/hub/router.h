// Which hub routes a verified webhook delivery concerns.
#ifndef SECRETSYNC_LIB_HUB_ROUTER_H_
#define SECRETSYNC_LIB_HUB_ROUTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/hub.pb.h"

namespace secretsync {
namespace hub {

// What a verified delivery says changed (Infisical sends no values).
struct Change {
  std::string event;         // "secrets.modified", "secret.modified" or "test"
  std::string workspace_id;  // project.workspaceId
  std::string environment;
  std::string secret_path;
  int64_t timestamp_ms = 0;
};

struct RouteMatch {
  bool known_project = false;  // some route names this project id
  std::vector<size_t> routes;  // indexes into config.routes, in config order
};

// Routes whose project_id and environment equal the change's and whose
// secret_path glob matches its normalized folder path. A "test" event
// matches nothing (it only proves the webhook reaches the hub).
RouteMatch MatchRoutes(const secretsync::v1::HubConfig& config, const Change& change);

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_ROUTER_H_

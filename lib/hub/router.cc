// Route matching: project id, environment, then the folder glob.
#include "lib/hub/router.h"

#include "lib/hub/path_glob.h"

namespace secretsync {
namespace hub {

RouteMatch MatchRoutes(const secretsync::v1::HubConfig& config, const Change& change) {
  RouteMatch m;
  const std::string path = NormalizeSecretPath(change.secret_path);
  for (int i = 0; i < config.routes_size(); ++i) {
    const auto& r = config.routes(i);
    if (r.project_id() != change.workspace_id) continue;
    m.known_project = true;
    if (change.event == "test") continue;
    if (r.environment() == change.environment && MatchPathGlob(r.secret_path(), path)) {
      m.routes.push_back(static_cast<size_t>(i));
    }
  }
  return m;
}

}  // namespace hub
}  // namespace secretsync

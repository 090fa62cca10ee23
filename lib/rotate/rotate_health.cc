// DeploymentHealthGate; see rotate_health.h.
#include "lib/rotate/rotate_health.h"

#include <memory>

#include "lib/health/health_runner.h"
#include "lib/health/make_health_checker.h"
#include "lib/sync/on_change.h"

namespace secretsync {
namespace rotate {

HealthGate DeploymentHealthGate(const config::Deployment& d, System& sys,
                                v1::HealthReport* report) {
  HealthGate gate;
  gate.report = report;
  const v1::HealthCheck& c = d.config.health_check();
  if (!c.has_http() && !c.has_command()) return gate;
  gate.roll_back = c.rollback_on_unhealthy() != v1::ROLLBACK_NEVER;
  gate.check = [&d, &sys] {
    const v1::HealthCheck& config = d.config.health_check();
    std::unique_ptr<health::HealthChecker> checker = health::MakeHealthChecker(
        config, sys.commands,
        sync::CommandEnvironment(d, sys.env, {{"SECRETSYNC_OUTPUT", d.config.output_path()}}));
    return health::RunHealthCheck(config, *checker, sys.clock);
  };
  return gate;
}

}  // namespace rotate
}  // namespace secretsync

// MakeHealthChecker: picks the implementation from the config's oneof.
#include "lib/health/make_health_checker.h"

#include <utility>
#include <vector>

#include "lib/health/command_health_checker.h"
#include "lib/health/http_health_checker.h"

namespace secretsync {
namespace health {

std::unique_ptr<HealthChecker> MakeHealthChecker(const v1::HealthCheck& config,
                                                 CommandRunner& runner,
                                                 std::map<std::string, std::string> command_env) {
  if (config.has_http()) return std::make_unique<HttpHealthChecker>(config.http());
  if (config.has_command()) {
    std::vector<std::string> argv(config.command().command().begin(),
                                  config.command().command().end());
    return std::make_unique<CommandHealthChecker>(runner, std::move(argv), std::move(command_env));
  }
  return nullptr;
}

}  // namespace health
}  // namespace secretsync

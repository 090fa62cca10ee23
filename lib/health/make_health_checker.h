// MakeHealthChecker: the checker a deployment's health_check names.
#ifndef SECRETSYNC_LIB_HEALTH_MAKE_HEALTH_CHECKER_H_
#define SECRETSYNC_LIB_HEALTH_MAKE_HEALTH_CHECKER_H_

#include <map>
#include <memory>
#include <string>

#include "lib/base/command_runner.h"
#include "lib/health/health_checker.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace health {

// An HttpHealthChecker for `http`, a CommandHealthChecker (running through
// `runner` with exactly `command_env`) for `command`, nullptr when neither is
// set (no check configured). `runner` must outlive the checker.
std::unique_ptr<HealthChecker> MakeHealthChecker(const v1::HealthCheck& config,
                                                 CommandRunner& runner,
                                                 std::map<std::string, std::string> command_env);

}  // namespace health
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HEALTH_MAKE_HEALTH_CHECKER_H_

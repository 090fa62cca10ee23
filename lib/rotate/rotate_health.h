// The deployment's health check as rotate runs it after its restart: a
// HealthGate (health_rollback.h) over lib/health.
#ifndef SECRETSYNC_LIB_ROTATE_ROTATE_HEALTH_H_
#define SECRETSYNC_LIB_ROTATE_ROTATE_HEALTH_H_

#include "lib/app/system.h"
#include "lib/config/deployment.h"
#include "lib/rotate/health_rollback.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace rotate {

// The gate for d.config.health_check(): no check when none is configured;
// else one run of the check (start delay, attempts, interval: lib/health)
// through sys (a command check runs with the on-change command's allowlisted
// environment, never this process's credentials), rolling back unless
// rollback_on_unhealthy is ROLLBACK_NEVER. The verdict goes to `report` (may
// be null). `d` and `sys` must outlive the gate.
HealthGate DeploymentHealthGate(const config::Deployment& d, System& sys,
                                v1::HealthReport* report);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ROTATE_HEALTH_H_

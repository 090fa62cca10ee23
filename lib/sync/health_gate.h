// The health gate of a sync (docs/sync.md, "Health check"): hold back content
// a check rejected before, check the application after the on-change
// command, and put the previous .env back when it is unhealthy.
#ifndef SECRETSYNC_LIB_SYNC_HEALTH_GATE_H_
#define SECRETSYNC_LIB_SYNC_HEALTH_GATE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "lib/app/system.h"
#include "lib/base/secret_value.h"
#include "lib/config/deployment.h"
#include "lib/sync/on_change.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace sync {

// When content with `sha256` is the one recorded as rejected, fills
// report.health (HELD_BACK, rejected_at_unix) and returns an error tagged
// exit 81 ("held back: unhealthy at <time>"); the caller then writes and runs
// nothing. OK otherwise (no record, another hash, an unreadable record: a
// warning is logged and the content goes ahead to be checked).
absl::Status HoldBackRejected(const config::Deployment& d, const std::string& sha256,
                              System& sys, v1::SyncReport& report);

// What a rollback needs: the output as it was before this run's write (null
// when the run wrote nothing, or the output did not exist), the writer that
// puts it back (the sync's own atomic writer, same mode and owner), and the
// on-change request to run again after it.
struct RollbackPlan {
  const SecretValue* previous = nullptr;
  std::string rejected_sha256;  // of the content being checked
  std::function<absl::Status(const SecretValue&)> restore;
  OnChangeRequest on_change;
};

// Runs d.config.health_check() after the on-change command succeeded and
// fills report.health. Healthy: clears the rejected-content record, OK.
// Unhealthy with ROLLBACK_NEVER, or with nothing to roll back to: exit 79,
// the change kept. Unhealthy otherwise: restores `previous`, records the
// rejected hash, runs on-change again and checks again
// (healthy_after_rollback); exit 81 (UNHEALTHY_ROLLED_BACK) even when the
// command after the rollback fails (its pending marker makes a later run
// retry it; the message says so). A restore that fails returns its error
// (exit 73) with outcome UNHEALTHY: the new content stays in place. Messages
// name the check and its detail, never a value.
absl::Status VerifyChange(const config::Deployment& d, const RollbackPlan& plan, System& sys,
                          v1::SyncReport& report);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_HEALTH_GATE_H_

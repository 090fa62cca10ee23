// The sync core: one sync of one resolved deployment, in-process, returning
// its report. What //tools:sync, rotate and the agent all run; it defines no
// flags, prints nothing and never exits the process.
#ifndef SECRETSYNC_LIB_SYNC_SYNC_DEPLOYMENT_H_
#define SECRETSYNC_LIB_SYNC_SYNC_DEPLOYMENT_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/app/system.h"
#include "lib/config/deployment.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace sync {

// The most a template, an existing output and a new output may hold. The
// same limit for the writer and the reader: sync never writes a file a later
// run would refuse to read.
inline constexpr size_t kMaxTemplateBytes = 1 << 20;
inline constexpr size_t kMaxEnvBytes = 16 << 20;

struct SyncRequest {
  bool dry_run = false;      // fetch, validate and diff; write nothing, run nothing
  bool run_command = true;   // run the on-change command after a change
  bool lock_held = false;    // the caller already holds d.config.lock_file()
  // rotate's own sync, settling the rotation that is pending: skips the
  // pending-rotation guard (pending_rotation.h) that refuses every other sync.
  bool settling_rotation = false;
  absl::Duration wait_lock = absl::Seconds(60);
  // After the on-change command ran, run the deployment's health_check (if
  // any) and roll back on an unhealthy result (docs/sync.md, "Health
  // check"). rotate sets it false: it runs its own check and rollback.
  bool check_health = true;
  // Apply content held back as unhealthy before (sync --force).
  bool force = false;
};

// Checks everything about the deployment a sync can know without the
// network: template and output set, the output none of the inputs (template,
// config, credential files, token cache, lock) under any name, the output
// not a folder, the template present and valid, and the Infisical store
// buildable (site URL, auth, credentials). What `sync --check` runs and what
// SyncDeployment runs first. Errors carry their exit code.
absl::Status CheckDeployment(const config::Deployment& d, System& sys);

// Runs one sync: check, lock (unless held), fetch, refuse while a rotation
// of a rendered secret is pending (exit 80, unless settling_rotation),
// validate, render, diff,
// write atomically (or only fix the mode/owner of an unchanged file), run the
// on-change command (and retry one that failed before). Never throws or
// exits. The report carries names only, the exit code
// (lib/base/exit_codes.h) and, on failure, the error text (never a value).
// On any error before the rename the existing output and its backup are
// left byte-identical.
v1::SyncReport SyncDeployment(const config::Deployment& d, const SyncRequest& request,
                              System& sys);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_SYNC_DEPLOYMENT_H_

// What rotate does after its restart: the deployment's health check, and when
// the application is unhealthy with the new value, the journaled, resumable
// rollback to the previous one (docs/rotate.md, "Health check and rollback").
#ifndef SECRETSYNC_LIB_ROTATE_HEALTH_ROLLBACK_H_
#define SECRETSYNC_LIB_ROTATE_HEALTH_ROLLBACK_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/rotate/journal.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace rotate {

// The check rotate runs after its restart. The caller owns `report`.
struct HealthGate {
  // Runs the deployment's check once, all its attempts included: HEALTHY, or
  // another outcome with `check`, `detail` and `attempts` saying why. Empty:
  // no check is configured (today's behaviour: nothing is checked).
  std::function<v1::HealthReport()> check;
  bool roll_back = true;  // false: rollback_on_unhealthy ROLLBACK_NEVER
  // Filled with the verdict when set: HEALTHY, UNHEALTHY (kept) or
  // UNHEALTHY_ROLLED_BACK with healthy_after_rollback.
  v1::HealthReport* report = nullptr;
};

// The rollback steps of one strategy. References only; the caller owns them.
// Every function is safe to repeat.
struct HealthRollback {
  Filesystem& fs;
  Clock& clock;
  LogSink& log;
  const std::string& journal_path;
  std::string what;  // the secret(s), for messages
  const HealthGate& gate;
  Journal& journal;  // the rotation's: old and new values, the step
  // The secret store holds the old value (and user) again, as new versions.
  std::function<absl::Status()> store_old;
  // The database takes the old value again (single user: ALTER ROLE back,
  // skipped when the old value logs in already; alternating users: nothing
  // to change, the previous role's password never changed).
  std::function<absl::Status()> apply_old;
  // A fresh login with the old value (and user) works.
  std::function<absl::Status()> verify_old;
  // Syncs the .env in-process (settling, no health check of its own) and
  // runs the on-change command; tagged with its exit code.
  std::function<absl::Status()> sync;
  // Step-boundary hook (failpoint.h); may be empty.
  std::function<void(absl::string_view)> failpoint;
};

// Whether `journal` is past a failed health check: a resume must finish the
// rollback and never apply the new value again.
bool InHealthRollback(const Journal& journal);

// Runs after the new value is in force, stored and synced, before the journal
// is cleared. No check, or healthy: OK and the journal untouched (the caller
// clears it). Unhealthy with ROLLBACK_NEVER: clears the journal, keeps the
// new value and returns an error tagged exit 79 that names the check.
// Unhealthy: journals HEALTH_FAILED ("health_failed") and FinishRollback.
absl::Status CheckAfterRestart(const HealthRollback& h);

// The rollback from HEALTH_FAILED on, each step journaled and followed by its
// failpoint: store_old (ROLLBACK_STORED, "rollback_store"), apply_old
// (ROLLBACK_APPLIED, "rollback_db"), sync (ROLLBACK_SYNCED,
// "rollback_synced"), verify_old, the check again, clear the journal. Always
// an error: exit 81 when everything agrees on the old value again (the
// journal is cleared); a step that fails keeps the journal and returns its
// error tagged exit 80 (run rotate --resume, which repeats the rollback).
absl::Status FinishRollback(const HealthRollback& h);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_HEALTH_ROLLBACK_H_

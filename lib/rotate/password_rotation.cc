// The password rotation step machine; see password_rotation.h.
#include "lib/rotate/password_rotation.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/rotate/journal.h"

namespace secretsync {
namespace rotate {
namespace {

using Step = v1::RotationJournal;

absl::Status Record(PasswordRotation& r, Journal& j, JournalStep step) {
  j.step = step;
  j.updated = r.clock.TimeNow();
  return Annotate(WriteJournal(r.fs, r.journal_path, j), "rotation journal");
}

void Hit(PasswordRotation& r, absl::string_view where) {
  if (r.failpoint) r.failpoint(where);
}

// Settling onto `value` (the new or the old one); `current` is the store's.
Settlement SettleOn(PasswordRotation& r, const SecretValue& value,
                    const std::optional<SecretValue>& current) {
  return Settlement{r.fs,
                    r.log,
                    r.journal_path,
                    r.store.name(),
                    [&r, &value, &current] {
                      if (current.has_value() && *current == value) return absl::OkStatus();
                      return r.store.Promote(value);
                    },
                    [&r] { return r.store.DeletePending(); },
                    r.sync,
                    r.failpoint};
}

// The rollback of rotation `j` after a failed health check.
HealthRollback RollbackOf(PasswordRotation& r, Journal& j) {
  return HealthRollback{
      r.fs,
      r.clock,
      r.log,
      r.journal_path,
      r.store.name(),
      r.health,
      j,
      [&r, &j] {
        absl::StatusOr<SecretValue> current = r.store.Current();
        if (current.ok() && *current == j.old_value) return absl::OkStatus();
        return r.store.Promote(j.old_value);
      },
      [&r, &j] {
        absl::Status in = r.target.CanLogIn(j.old_value);
        if (!absl::IsUnauthenticated(in)) return in;  // OK: the ALTER back is done
        return Annotate(r.target.Apply(j.new_value, j.old_value),
                        absl::StrCat("set the old password of ", r.target.Describe()));
      },
      [&r, &j] {
        return Annotate(r.target.CanLogIn(j.old_value),
                        "verify the old password with a fresh login");
      },
      r.sync,
      r.failpoint};
}

// Settling onto the new value, then checking the application with it.
Settlement ForwardOn(PasswordRotation& r, Journal& j, const std::optional<SecretValue>& current) {
  Settlement s = SettleOn(r, j.new_value, current);
  s.after_sync = [&r, &j] { return CheckAfterRestart(RollbackOf(r, j)); };
  return s;
}

// Probes and settles whatever the journal and the store say is unfinished.
absl::StatusOr<Outcome> Settle(PasswordRotation& r) {
  Logger log(r.log);
  SS_ASSIGN_OR_RETURN(std::optional<Journal> journal,
                      ReadJournal(r.fs, r.journal_path, r.owner_uid));
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pending, r.store.Pending());
  if (!journal.has_value() && !pending.has_value()) return Outcome::kNothingPending;
  if (journal.has_value()) {
    SS_RETURN_IF_ERROR(CheckJournalStrategy(*journal, r.journal_path, /*alternating=*/false));
    if (InHealthRollback(*journal)) {
      log.Info("rotate.resume_rollback").Field("secret", r.store.name());
      absl::Status s = FinishRollback(RollbackOf(r, *journal));
      if (s.ok()) return Outcome::kRolledBack;
      return s;
    }
  }
  std::optional<SecretValue> current;
  absl::StatusOr<SecretValue> stored = r.store.Current();
  if (stored.ok()) {
    current = std::move(*stored);
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  const SecretValue& next = journal.has_value() ? journal->new_value : *pending;

  absl::Status probe = r.target.CanLogIn(next);
  if (probe.ok()) {
    log.Info("rotate.roll_forward").Field("secret", r.store.name());
    if (journal.has_value()) {
      return RollForward(ForwardOn(r, *journal, current), Outcome::kRolledForward);
    }
    // A pending secret without a journal: no old value is known for sure,
    // so there is nothing to roll back to and nothing is checked.
    return RollForward(SettleOn(r, next, current), Outcome::kRolledForward);
  }
  if (!absl::IsUnauthenticated(probe)) {
    return Annotate(probe, absl::StrCat("probe the new ", r.store.name(), " on ",
                                        r.target.Describe()));
  }
  std::vector<const SecretValue*> olds;
  if (journal.has_value() && !journal->old_value.empty()) olds.push_back(&journal->old_value);
  if (current.has_value()) olds.push_back(&*current);
  for (const SecretValue* old : olds) {
    if (*old == next) continue;
    absl::Status p = r.target.CanLogIn(*old);
    if (p.ok()) {
      log.Info("rotate.roll_back").Field("secret", r.store.name());
      return RollBack(SettleOn(r, *old, current));
    }
    if (!absl::IsUnauthenticated(p)) {
      return Annotate(p, absl::StrCat("probe the old ", r.store.name(), " on ",
                                      r.target.Describe()));
    }
  }
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "rotation of ", r.store.name(), ": neither the new nor the old value logs in as ",
          r.target.Describe(), "; set the role's password to the value of ",
          PendingName(r.store.name()), " (or ", r.store.name(),
          ") by hand, then run rotate --resume")),
      kExitRotationPending);
}

}  // namespace

absl::StatusOr<bool> RotationPending(PasswordRotation& r) {
  SS_ASSIGN_OR_RETURN(std::optional<Journal> journal,
                      ReadJournal(r.fs, r.journal_path, r.owner_uid));
  if (journal.has_value()) return true;
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pending, r.store.Pending());
  return pending.has_value();
}

absl::StatusOr<Outcome> RotatePassword(PasswordRotation& r, const SecretValue& next) {
  Logger log(r.log);
  SS_ASSIGN_OR_RETURN(std::optional<Journal> existing,
                      ReadJournal(r.fs, r.journal_path, r.owner_uid));
  if (existing.has_value()) {
    return PendingError(r.store.name(), absl::StrCat("journal ", r.journal_path));
  }
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pending, r.store.Pending());
  if (pending.has_value()) {
    return PendingError(r.store.name(), PendingName(r.store.name()) + " exists");
  }

  SS_ASSIGN_OR_RETURN(SecretValue old, r.store.Current());
  if (old == next) {
    return absl::InvalidArgumentError(
        absl::StrCat("rotation of ", r.store.name(), ": the new value equals the current one"));
  }
  SS_RETURN_IF_ERROR(Annotate(r.target.CanLogIn(old),
                              absl::StrCat("the current ", r.store.name(), " does not log in as ",
                                           r.target.Describe(), "; nothing was changed")));

  Journal j;
  j.secret_name = r.store.name();
  j.old_value = old.Copy();
  j.new_value = next.Copy();
  j.started = r.clock.TimeNow();
  j.strategy = v1::SINGLE_USER;
  SS_RETURN_IF_ERROR(Record(r, j, Step::GENERATED));
  Hit(r, "journal");
  log.Info("rotate.journaled").Field("secret", r.store.name());

  absl::Status s = r.store.StorePending(next);
  if (!s.ok()) {
    // Nothing reached the target: undo the journal, keep the old value.
    (void)r.store.DeletePending();
    SS_RETURN_IF_ERROR(ClearJournal(r.fs, r.journal_path));
    return Annotate(s, "nothing was changed");
  }
  SS_RETURN_IF_ERROR(Record(r, j, Step::PENDING_STORED));
  Hit(r, "pending");

  absl::Status applied = r.target.Apply(old, next);
  if (applied.ok()) {
    Hit(r, "alter_role");
    // No journal write from here to the sync: logins with the .env fail in
    // this stretch, so it does only what it must (verify, promote, sync). The
    // journal stays at PENDING_STORED; a resume probes whether the ALTER
    // landed.
    applied = Annotate(r.target.CanLogIn(next), "verify the new password with a fresh login");
  } else {
    applied = Annotate(applied, absl::StrCat("set the new password of ", r.target.Describe()));
    if (OutcomeUnknown(applied)) {
      // The ALTER ROLE may still commit: rolling back now could leave the
      // role with a password stored nowhere. Keep everything for a resume.
      log.Error("rotate.outcome_unknown").Field("secret", r.store.name());
      return OutcomeUnknownError(r.store.name(), applied);
    }
  }
  if (!applied.ok()) {
    log.Error("rotate.apply_failed").Field("secret", r.store.name());
    absl::StatusOr<Outcome> settled = Settle(r);
    if (ExitCodeFromStatus(settled.status()) == kExitRolledBack) return settled.status();
    if (!settled.ok()) return PendingError(r.store.name(), settled.status().message());
    if (*settled == Outcome::kRolledBack) return applied;
    return Outcome::kRotated;  // the probe found the new password in force
  }
  Hit(r, "verify");
  log.Info("rotate.applied").Field("secret", r.store.name());
  std::optional<SecretValue> current(std::move(old));
  return RollForward(ForwardOn(r, j, current), Outcome::kRotated);
}

absl::StatusOr<Outcome> ResumePassword(PasswordRotation& r) { return Settle(r); }

}  // namespace rotate
}  // namespace secretsync

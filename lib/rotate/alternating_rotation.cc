// The alternating-users step machine; see alternating_rotation.h. It shares
// the journal, the store side and the outcomes with password_rotation; the
// steps differ in that two secrets move together and two roles are probed.
#include "lib/rotate/alternating_rotation.h"

#include <optional>
#include <string>
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

// A login: a role and its password.
struct Pair {
  std::string role;
  SecretValue password;
};

std::string What(const AlternatingRotation& r) {
  return absl::StrCat(r.user.name(), "/", r.password.name());
}

void Hit(AlternatingRotation& r, absl::string_view where) {
  if (r.failpoint) r.failpoint(where);
}

const std::string& Other(AlternatingRotation& r, const std::string& role) {
  return role == r.target.primary() ? r.target.alternate() : r.target.primary();
}

// The role a user secret's value names; FailedPrecondition when neither.
absl::StatusOr<std::string> RoleOf(AlternatingRotation& r, const SecretValue& v) {
  for (const std::string* role : {&r.target.primary(), &r.target.alternate()}) {
    if (v == SecretValue(*role)) return *role;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("secret ", r.user.name(), ": names neither role ", r.target.primary(),
                   " nor ", r.target.alternate(), "; set it to one of them"));
}

// The stored role in use (the primary when the user secret is missing).
absl::StatusOr<std::string> StoredRole(AlternatingRotation& r) {
  absl::StatusOr<SecretValue> v = r.user.Current();
  if (absl::IsNotFound(v.status())) return r.target.primary();
  if (!v.ok()) return v.status();
  return RoleOf(r, *v);
}

absl::StatusOr<std::optional<SecretValue>> StoredPassword(AlternatingRotation& r) {
  absl::StatusOr<SecretValue> v = r.password.Current();
  if (absl::IsNotFound(v.status())) return std::optional<SecretValue>();
  if (!v.ok()) return v.status();
  return std::optional<SecretValue>(std::move(*v));
}

absl::Status DeletePendings(AlternatingRotation& r) {
  SS_RETURN_IF_ERROR(r.password.DeletePending());
  return r.user.DeletePending();
}

// Settling onto the pair `p` (the new or the old one). The two secrets are
// stored one after the other: in between, Infisical pairs one role with the
// other's password. The journal and the pending secrets stay until the .env
// is synced, and a plain sync refuses to render while they exist
// (sync/pending_rotation.h), so that pair never reaches a .env.
Settlement SettleOn(AlternatingRotation& r, const Pair& p) {
  return Settlement{r.fs,
                    r.log,
                    r.journal_path,
                    What(r),
                    [&r, &p] {
                      SS_RETURN_IF_ERROR(r.password.Promote(p.password));
                      Hit(r, "promote_password");
                      return r.user.Promote(SecretValue(p.role));
                    },
                    [&r] { return DeletePendings(r); },
                    r.sync,
                    r.failpoint};
}

// The rollback of rotation `j` after a failed health check: back to the
// journal's active role and old password.
HealthRollback RollbackOf(AlternatingRotation& r, Journal& j) {
  auto verify = [&r, &j] {
    return Annotate(r.target.CanLogIn(j.active_user, j.old_value),
                    absl::StrCat("verify the old password of role ", j.active_user,
                                 " with a fresh login"));
  };
  return HealthRollback{r.fs,
                        r.clock,
                        r.log,
                        r.journal_path,
                        What(r),
                        r.health,
                        j,
                        [&r, &j] {
                          SS_RETURN_IF_ERROR(r.password.Promote(j.old_value));
                          return r.user.Promote(SecretValue(j.active_user));
                        },
                        verify,  // the previous role's password never changed
                        verify,
                        r.sync,
                        r.failpoint};
}

// Settling onto the journal's new pair, then checking the application.
Settlement ForwardOn(AlternatingRotation& r, Journal& j, const Pair& fresh) {
  Settlement s = SettleOn(r, fresh);
  s.after_sync = [&r, &j] { return CheckAfterRestart(RollbackOf(r, j)); };
  return s;
}

absl::Status Probe(AlternatingRotation& r, const Pair& p, absl::string_view which) {
  absl::Status s = r.target.CanLogIn(p.role, p.password);
  if (s.ok() || absl::IsUnauthenticated(s)) return s;
  return Annotate(s, absl::StrCat("probe the ", which, " ", r.password.name(), " of role ",
                                  p.role, " on ", r.target.Describe()));
}

absl::StatusOr<Outcome> Settle(AlternatingRotation& r) {
  Logger log(r.log);
  SS_ASSIGN_OR_RETURN(std::optional<Journal> journal,
                      ReadJournal(r.fs, r.journal_path, r.owner_uid));
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pending_pw, r.password.Pending());
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pending_user, r.user.Pending());
  if (!journal.has_value() && !pending_pw.has_value() && !pending_user.has_value()) {
    return Outcome::kNothingPending;
  }
  if (journal.has_value()) {
    SS_RETURN_IF_ERROR(CheckJournalStrategy(*journal, r.journal_path, /*alternating=*/true));
    if (InHealthRollback(*journal)) {
      log.Info("rotate.resume_rollback").Field("secret", r.password.name());
      absl::Status s = FinishRollback(RollbackOf(r, *journal));
      if (s.ok()) return Outcome::kRolledBack;
      return s;
    }
  }
  SS_ASSIGN_OR_RETURN(std::string stored_role, StoredRole(r));
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> stored_pw, StoredPassword(r));

  std::optional<Pair> next;
  if (journal.has_value()) {
    next = Pair{journal->target_user, journal->new_value.Copy()};
  } else if (pending_pw.has_value()) {
    std::string role = Other(r, stored_role);
    if (pending_user.has_value()) {
      SS_ASSIGN_OR_RETURN(role, RoleOf(r, *pending_user));
    }
    next = Pair{role, pending_pw->Copy()};
  }
  if (next.has_value()) {
    absl::Status probe = Probe(r, *next, "new");
    if (probe.ok()) {
      log.Info("rotate.roll_forward").Field("secret", r.password.name()).Field("user", next->role);
      if (journal.has_value()) {
        return RollForward(ForwardOn(r, *journal, *next), Outcome::kRolledForward);
      }
      // Pending secrets without a journal: no old pair is known for sure,
      // so there is nothing to roll back to and nothing is checked.
      return RollForward(SettleOn(r, *next), Outcome::kRolledForward);
    }
    if (!absl::IsUnauthenticated(probe)) return probe;
  }
  std::vector<Pair> olds;
  if (journal.has_value() && !journal->old_value.empty()) {
    olds.push_back(Pair{journal->active_user, journal->old_value.Copy()});
  }
  if (stored_pw.has_value()) olds.push_back(Pair{stored_role, stored_pw->Copy()});
  for (const Pair& old : olds) {
    absl::Status p = Probe(r, old, "old");
    if (p.ok()) {
      log.Info("rotate.roll_back").Field("secret", r.password.name()).Field("user", old.role);
      return RollBack(SettleOn(r, old));
    }
    if (!absl::IsUnauthenticated(p)) return p;
  }
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "rotation of ", What(r), ": neither the new nor the old pair logs in on ", r.target.Describe(),
          "; set the password of the role in ", PendingName(r.user.name()), " to the value of ",
          PendingName(r.password.name()), " by hand, then run rotate --resume")),
      kExitRotationPending);
}

}  // namespace

absl::StatusOr<bool> AlternatingPending(AlternatingRotation& r) {
  SS_ASSIGN_OR_RETURN(std::optional<Journal> journal,
                      ReadJournal(r.fs, r.journal_path, r.owner_uid));
  if (journal.has_value()) return true;
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> pw, r.password.Pending());
  if (pw.has_value()) return true;
  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> user, r.user.Pending());
  return user.has_value();
}

absl::StatusOr<Outcome> RotateAlternating(AlternatingRotation& r, const SecretValue& next) {
  Logger log(r.log);
  SS_ASSIGN_OR_RETURN(bool pending, AlternatingPending(r));
  if (pending) return PendingError(What(r), "a journal or a __PENDING secret exists");

  SS_ASSIGN_OR_RETURN(std::string active, StoredRole(r));
  SS_ASSIGN_OR_RETURN(SecretValue old, r.password.Current());
  if (old == next) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rotation of ", r.password.name(), ": the new value equals the current one"));
  }
  SS_RETURN_IF_ERROR(Annotate(r.target.CanLogIn(active, old),
                              absl::StrCat("the current ", r.password.name(),
                                           " does not log in as role ", active, " on ",
                                           r.target.Describe(), "; nothing was changed")));
  const std::string idle = Other(r, active);

  Journal j;
  j.secret_name = r.password.name();
  j.old_value = old.Copy();
  j.new_value = next.Copy();
  j.started = r.clock.TimeNow();
  j.strategy = v1::ALTERNATING_USERS;
  j.active_user = active;
  j.target_user = idle;
  j.step = Step::GENERATED;
  j.updated = r.clock.TimeNow();
  SS_RETURN_IF_ERROR(Annotate(WriteJournal(r.fs, r.journal_path, j), "rotation journal"));
  Hit(r, "journal");
  log.Info("rotate.journaled").Field("secret", r.password.name()).Field("user", idle);

  absl::Status s = r.password.StorePending(next);
  if (s.ok()) s = r.user.StorePending(SecretValue(idle));
  if (!s.ok()) {
    // Nothing reached the server: undo, keep the old pair.
    (void)DeletePendings(r);
    SS_RETURN_IF_ERROR(ClearJournal(r.fs, r.journal_path));
    return Annotate(s, "nothing was changed");
  }
  j.step = Step::PENDING_STORED;
  j.updated = r.clock.TimeNow();
  SS_RETURN_IF_ERROR(Annotate(WriteJournal(r.fs, r.journal_path, j), "rotation journal"));
  Hit(r, "pending");

  // Only the idle role changes: logins with the .env (the active role) keep
  // working, so there is no hurry between here and the sync.
  absl::Status applied = r.target.SetPassword(idle, next);
  if (applied.ok()) {
    Hit(r, "alter_role");
    j.step = Step::APPLIED;
    j.updated = r.clock.TimeNow();
    applied = Annotate(WriteJournal(r.fs, r.journal_path, j), "rotation journal");
  } else {
    applied = Annotate(applied, absl::StrCat("set the new password of role ", idle, " on ",
                                             r.target.Describe()));
    if (OutcomeUnknown(applied)) {
      // The ALTER ROLE may still commit: keep everything for a resume.
      log.Error("rotate.outcome_unknown").Field("secret", r.password.name()).Field("user", idle);
      return OutcomeUnknownError(What(r), applied);
    }
  }
  if (applied.ok()) {
    applied = Annotate(r.target.CanLogIn(idle, next),
                       absl::StrCat("verify the new password of role ", idle,
                                    " with a fresh login"));
  }
  if (!applied.ok()) {
    log.Error("rotate.apply_failed").Field("secret", r.password.name()).Field("user", idle);
    absl::StatusOr<Outcome> settled = Settle(r);
    if (ExitCodeFromStatus(settled.status()) == kExitRolledBack) return settled.status();
    if (!settled.ok()) return PendingError(What(r), settled.status().message());
    if (*settled == Outcome::kRolledBack) return applied;
    return Outcome::kRotated;
  }
  Hit(r, "verify");
  log.Info("rotate.applied").Field("secret", r.password.name()).Field("user", idle);
  const Pair fresh{idle, next.Copy()};
  return RollForward(ForwardOn(r, j, fresh), Outcome::kRotated);
}

absl::StatusOr<Outcome> ResumeAlternating(AlternatingRotation& r) { return Settle(r); }

}  // namespace rotate
}  // namespace secretsync

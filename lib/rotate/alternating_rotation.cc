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

absl::Status PendingError(const AlternatingRotation& r, absl::string_view why) {
  return WithExitCode(absl::FailedPreconditionError(absl::StrCat(
                          "rotation of ", r.user.name(), "/", r.password.name(),
                          " is pending (", why, "): run rotate --resume")),
                      kExitRotationPending);
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

absl::Status PromotePair(AlternatingRotation& r, const Pair& p) {
  SS_RETURN_IF_ERROR(r.password.Promote(p.password));
  return r.user.Promote(SecretValue(p.role));
}

absl::Status DeletePendings(AlternatingRotation& r) {
  SS_RETURN_IF_ERROR(r.password.DeletePending());
  return r.user.DeletePending();
}

// The new pair logs in: make the store and the .env agree on it.
absl::StatusOr<Outcome> Forward(AlternatingRotation& r, const Pair& next, Outcome outcome) {
  Logger log(r.log);
  SS_RETURN_IF_ERROR(PromotePair(r, next));
  Hit(r, "promote");
  absl::Status synced = r.sync();
  if (!synced.ok() && ExitCodeFromStatus(synced) != kExitOnChangeFailed) {
    log.Error("rotate.sync_failed").Field("secret", r.password.name());
    return Annotate(synced, absl::StrCat("the new ", r.user.name(), " and ", r.password.name(),
                                         " are in force and stored; sync the .env with "
                                         "rotate --resume"));
  }
  Hit(r, "sync");
  SS_RETURN_IF_ERROR(DeletePendings(r));
  Hit(r, "delete_pending");
  SS_RETURN_IF_ERROR(ClearJournal(r.fs, r.journal_path));
  if (!synced.ok()) return synced;  // exit code 79: everything else is done
  return outcome;
}

// The old pair logs in: drop the pending secrets, store and sync the old pair.
absl::StatusOr<Outcome> Back(AlternatingRotation& r, const Pair& old) {
  SS_RETURN_IF_ERROR(PromotePair(r, old));
  SS_RETURN_IF_ERROR(DeletePendings(r));
  absl::Status synced = r.sync();
  if (!synced.ok() && ExitCodeFromStatus(synced) != kExitOnChangeFailed) return synced;
  SS_RETURN_IF_ERROR(ClearJournal(r.fs, r.journal_path));
  if (!synced.ok()) return synced;
  return Outcome::kRolledBack;
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
  if (journal.has_value() && journal->strategy != v1::ALTERNATING_USERS) {
    return WithExitCode(absl::FailedPreconditionError(absl::StrCat(
                            "rotation journal ", r.journal_path,
                            ": written by a SINGLE_USER rotation; set rotation.strategy back "
                            "to SINGLE_USER and run rotate --resume")),
                        kExitRotationPending);
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
      return Forward(r, *next, Outcome::kRolledForward);
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
      return Back(r, old);
    }
    if (!absl::IsUnauthenticated(p)) return p;
  }
  return WithExitCode(
      absl::FailedPreconditionError(absl::StrCat(
          "rotation of ", r.user.name(), "/", r.password.name(),
          ": neither the new nor the old pair logs in on ", r.target.Describe(),
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
  if (pending) return PendingError(r, "a journal or a __PENDING secret exists");

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
  }
  if (applied.ok()) {
    applied = Annotate(r.target.CanLogIn(idle, next),
                       absl::StrCat("verify the new password of role ", idle,
                                    " with a fresh login"));
  }
  if (!applied.ok()) {
    log.Error("rotate.apply_failed").Field("secret", r.password.name()).Field("user", idle);
    absl::StatusOr<Outcome> settled = Settle(r);
    if (!settled.ok()) return PendingError(r, std::string(settled.status().message()));
    if (*settled == Outcome::kRolledBack) return applied;
    return Outcome::kRotated;
  }
  Hit(r, "verify");
  log.Info("rotate.applied").Field("secret", r.password.name()).Field("user", idle);
  return Forward(r, Pair{idle, next.Copy()}, Outcome::kRotated);
}

absl::StatusOr<Outcome> ResumeAlternating(AlternatingRotation& r) { return Settle(r); }

}  // namespace rotate
}  // namespace secretsync

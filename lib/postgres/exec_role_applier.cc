// ExecRoleApplier: psql script on the command's stdin, exit code -> Status.
#include "lib/postgres/exec_role_applier.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/postgres/pg_error.h"
#include "lib/postgres/role_sql.h"
#include "lib/postgres/scram_verifier.h"
#include "lib/postgres/server_timeouts.h"

namespace secretsync {
namespace postgres {

ExecRoleApplier::ExecRoleApplier(CommandRunner& runner, RandomSource& random,
                                 std::vector<std::string> argv, absl::Duration timeout,
                                 std::map<std::string, std::string> env)
    : runner_(runner),
      random_(random),
      argv_(std::move(argv)),
      timeout_(timeout),
      env_(std::move(env)) {}

absl::StatusOr<ServerTimeouts> ExecRoleApplier::Limits(absl::string_view what) const {
  absl::StatusOr<ServerTimeouts> limits = ServerTimeoutsFor(timeout_);
  if (!limits.ok()) return Annotate(limits.status(), absl::StrCat("postgres exec route: ", what));
  return limits;
}

absl::Status ExecRoleApplier::RunScript(const std::string& script, absl::string_view what,
                                        std::string* out) {
  const std::string where =
      absl::StrCat("postgres exec route (", argv_.empty() ? "" : argv_[0], "): ", what);
  if (argv_.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": command is empty"));
  absl::StatusOr<CommandResult> run = runner_.RunWithStdin(argv_, env_, timeout_, script, out);
  if (!run.ok()) return Annotate(run.status(), where);
  const CommandResult& r = *run;
  if (r.timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(where, ": no result within ", absl::FormatDuration(timeout_)));
  }
  if (r.term_signal != 0) {
    return absl::InternalError(absl::StrCat(where, ": killed by signal ", r.term_signal));
  }
  switch (r.exit_code) {
    case 0: {
      // The script quits with exit 0 after printing the first error's SQLSTATE.
      std::optional<std::string> failed = ParseScriptError(*out);
      if (!failed.has_value()) return absl::OkStatus();
      if (failed->empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            where, ": a statement failed and psql gave no SQLSTATE (psql 12 or later needed)"));
      }
      return PgError(where, *failed, "a statement failed (psql's stderr says why)");
    }
    case 1:
      // `docker compose exec` with the service stopped ("service ... is not
      // running"), `docker exec` with "No such container" or no daemon: all
      // exit 1 before psql runs. psql itself exits 1 only for its own fatal
      // errors (out of memory), never after a statement failed.
      return absl::UnavailableError(absl::StrCat(
          where, ": command exited with 1 (container not running or no such container?); "
                 "its stderr says why"));
    case 2:
      // Before sending anything ("could not connect") or after (the
      // connection was lost): then the statement may have committed.
      return absl::UnavailableError(absl::StrCat(
          where, ": psql could not connect or lost the connection (exit 2; its stderr says why)"));
    case 3:
      return absl::FailedPreconditionError(
          absl::StrCat(where, ": a statement failed (psql exit 3; its stderr says which)"));
    case 126:
    case 127:
      return absl::FailedPreconditionError(
          absl::StrCat(where, ": command cannot run (exit ", r.exit_code, ")"));
    default:
      return absl::InternalError(absl::StrCat(where, ": command exited with ", r.exit_code));
  }
}

absl::Status ExecRoleApplier::SetPassword(absl::string_view role,
                                          const SecretValue& new_password) {
  const std::string what = absl::StrCat("set password of role ", role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), what));
  SS_ASSIGN_OR_RETURN(std::string verifier, ScramSha256Verifier(new_password, random_));
  SS_ASSIGN_OR_RETURN(ServerTimeouts limits, Limits(what));
  SS_ASSIGN_OR_RETURN(std::string script, SetPasswordScript(role, verifier, limits));
  std::string out;
  return RunScript(script, what, &out);
}

absl::Status ExecRoleApplier::EnsureAlternateRole(absl::string_view role,
                                                  absl::string_view like_role,
                                                  const SecretValue& password) {
  const std::string what = absl::StrCat("alternate role ", role, " like ", like_role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), what));
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(like_role), what));
  SS_ASSIGN_OR_RETURN(std::string verifier, ScramSha256Verifier(password, random_));
  SS_ASSIGN_OR_RETURN(ServerTimeouts limits, Limits(what));
  SS_ASSIGN_OR_RETURN(std::string script,
                      EnsureAlternateRoleScript(role, like_role, verifier, limits));
  std::string out;
  return RunScript(script, what, &out);
}

absl::Status ExecRoleApplier::CanLogIn(absl::string_view role, const SecretValue& password) {
  const std::string what = absl::StrCat("login check of role ", role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), what));
  SS_RETURN_IF_ERROR(Annotate(ValidateScramPassword(password), what));
  SS_ASSIGN_OR_RETURN(ServerTimeouts limits, Limits(what));
  SS_ASSIGN_OR_RETURN(std::string script, StoredVerifierScript(role, limits));
  std::string out;
  SS_RETURN_IF_ERROR(RunScript(script, what, &out));
  absl::StatusOr<StoredRole> stored = ParseStoredRole(out);
  const std::string where =
      absl::StrCat("postgres exec route (", argv_[0], "): ", what);
  if (!stored.ok()) return Annotate(stored.status(), where);
  if (!stored->found) {
    return absl::NotFoundError(absl::StrCat(where, ": role does not exist"));
  }
  if (!stored->can_login) {
    return absl::PermissionDeniedError(absl::StrCat(where, ": role is NOLOGIN"));
  }
  if (stored->expired) {
    return absl::PermissionDeniedError(absl::StrCat(where, ": role's password has expired"));
  }
  if (!ValidateScramVerifier(stored->password).ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": stored password is not a SCRAM-SHA-256 verifier (none, md5 or plaintext)"));
  }
  SS_ASSIGN_OR_RETURN(bool matches, ScramVerifierMatches(stored->password, password));
  if (!matches) {
    return absl::UnauthenticatedError(
        absl::StrCat(where, ": password does not match the stored verifier"));
  }
  return absl::OkStatus();
}

}  // namespace postgres
}  // namespace secretsync

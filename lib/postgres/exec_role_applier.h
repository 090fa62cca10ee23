// RolePasswordApplier through a command running psql (the compose route:
// `docker compose exec -T postgres psql -U ... -d ...`), the SQL on its stdin
// carrying only a verifier computed with OpenSSL.
#ifndef SECRETSYNC_LIB_POSTGRES_EXEC_ROLE_APPLIER_H_
#define SECRETSYNC_LIB_POSTGRES_EXEC_ROLE_APPLIER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/command_runner.h"
#include "lib/base/random_source.h"
#include "lib/base/secret_value.h"
#include "lib/postgres/role_password_applier.h"
#include "lib/postgres/server_timeouts.h"

namespace secretsync {
namespace postgres {

// Holds references to `runner` and `random` (which must outlive it) and a
// copy of the argv, which names the login (e.g. psql -U, relying on the
// container's local `trust`) and holds no secret, and of `env`, the command's
// whole environment (CommandRunner passes nothing else: give it PATH, HOME
// and DOCKER_*/COMPOSE_* for `docker compose`; see ExecEnvironment). The scripts set
// ON_ERROR_STOP themselves; psql's stdout is captured (kept off rotate's
// output), its stderr inherited. Not thread-safe.
class ExecRoleApplier : public RolePasswordApplier, public LoginChecker {
 public:
  ExecRoleApplier(CommandRunner& runner, RandomSource& random, std::vector<std::string> argv,
                  absl::Duration timeout = absl::Seconds(60),
                  std::map<std::string, std::string> env = {});

  // See RolePasswordApplier. The script first sets the server's
  // lock_timeout and statement_timeout to a quarter and a half of `timeout`
  // (ServerTimeoutsFor; InvalidArgument for a timeout below 1 s), so a
  // statement that waits ends on the server, rolled back, before the
  // command is killed. A statement that fails makes the script print its
  // SQLSTATE and quit (see role_sql.h): the status is then CodeForSqlState's,
  // as over libpq (55P03/57014 Aborted: the server gave up, nothing
  // committed; 42501 PermissionDenied; 42704 NotFound; 55000 for a superuser
  // source role FailedPrecondition). Exit codes: 0 OK unless a SQLSTATE was
  // printed; 1 (docker: container not running, no such container, no
  // daemon) Unavailable; psql's 2 (could not connect, or lost the
  // connection) Unavailable; 3 (a psql meta-command failed)
  // FailedPrecondition; 126/127 (not runnable/not found) FailedPrecondition;
  // others and signals Internal; our timeout DeadlineExceeded. Only
  // Unavailable and DeadlineExceeded may leave the password changed. psql's own messages go
  // to the inherited stderr (they can quote the verifier, never the
  // password).
  absl::Status SetPassword(absl::string_view role, const SecretValue& new_password) override;
  absl::Status EnsureAlternateRole(absl::string_view role, absl::string_view like_role,
                                   const SecretValue& password) override;

  // The login probe of a route that has no connection: reads the role's
  // stored verifier from pg_authid (needs a superuser login, as the postgres
  // image's POSTGRES_USER is) and checks `password` against it on the client
  // (ScramVerifierMatches), so the password goes nowhere. Unlike a real login
  // it does not consult pg_hba.conf, so a `trust` line there cannot make a
  // wrong password pass (the libpq probe refuses such logins instead). OK
  // when it matches, the role may log in
  // and is not expired; Unauthenticated when it does not match;
  // PermissionDenied for a NOLOGIN or expired role; NotFound for no such role;
  // FailedPrecondition when the stored password is not a SCRAM verifier (md5,
  // none); PermissionDenied (42501) when the login may not read pg_authid
  // (not a superuser); other failures as SetPassword.
  absl::Status CanLogIn(absl::string_view role, const SecretValue& password) override;

 private:
  // The server's limits for `timeout_` (InvalidArgument below 1 s).
  absl::StatusOr<ServerTimeouts> Limits(absl::string_view what) const;
  absl::Status RunScript(const std::string& script, absl::string_view what,
                         std::string* out);

  CommandRunner& runner_;
  RandomSource& random_;
  std::vector<std::string> argv_;
  absl::Duration timeout_;
  std::map<std::string, std::string> env_;
};

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_EXEC_ROLE_APPLIER_H_

// RolePasswordApplier and LoginChecker over libpq: log in (as the role being
// rotated with its current password, or as an admin), compute the verifier
// with PQencryptPasswordConn and ALTER ROLE with identifiers and literals
// quoted by libpq.
#ifndef SECRETSYNC_LIB_POSTGRES_LIBPQ_ROLE_APPLIER_H_
#define SECRETSYNC_LIB_POSTGRES_LIBPQ_ROLE_APPLIER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/postgres/role_password_applier.h"

namespace secretsync {
namespace postgres {

// Each call opens its own connection and closes it before returning (a
// rotation makes a handful of calls; a pool would outlive the password it
// logged in with). Owns a copy of the login password. Not thread-safe.
class LibpqRoleApplier : public RolePasswordApplier, public LoginChecker {
 public:
  // `login_user`/`login_password`: who runs ALTER ROLE. By default, rotate
  // passes the role being rotated with its current password (a role may
  // change its own password); with `admin` in the config, the admin.
  LibpqRoleApplier(ConnectionOptions options, std::string login_user,
                   SecretValue login_password);

  // See RolePasswordApplier. Before the ALTER ROLE it sets the server's
  // lock_timeout and statement_timeout to a quarter and a half of
  // options.query_timeout_seconds (ServerTimeoutsFor), so a statement that
  // waits on a lock ends on the server (Aborted: nothing committed) before
  // the client stops waiting (DeadlineExceeded: may have committed), and runs
  // SET ROLE NONE (an alternate login is switched to the shared role and
  // could not alter itself otherwise).
  absl::Status SetPassword(absl::string_view role, const SecretValue& new_password) override;
  absl::Status EnsureAlternateRole(absl::string_view role, absl::string_view like_role,
                                   const SecretValue& password) override;
  // See LoginChecker: a fresh connection as `role`, then SELECT 1. A login
  // the server let in without asking for the password
  // (!PQconnectionUsedPassword) is FailedPrecondition, not OK.
  absl::Status CanLogIn(absl::string_view role, const SecretValue& password) override;

 private:
  ConnectionOptions options_;
  std::string login_user_;
  SecretValue login_password_;
};

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_LIBPQ_ROLE_APPLIER_H_

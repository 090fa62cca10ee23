// The seams `rotate` uses to change a PostgreSQL role's password and to probe
// which password logs in; implemented over libpq and over an exec'd psql.
#ifndef SECRETSYNC_LIB_POSTGRES_ROLE_PASSWORD_APPLIER_H_
#define SECRETSYNC_LIB_POSTGRES_ROLE_PASSWORD_APPLIER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace postgres {

// How to reach the server over libpq (the deployment config's `postgres`).
struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string database = "postgres";
  std::string sslmode = "prefer";  // libpq's sslmode values
  int connect_timeout_seconds = 10;
  // How long the client waits for each statement's reply once sent. The
  // server's lock_timeout and statement_timeout are set below it (see
  // server_timeouts.h), so the server normally gives up first.
  int query_timeout_seconds = 20;
};

// Changes role passwords, sending the server only SCRAM-SHA-256 verifiers
// computed on the client, so no plaintext reaches the server, its log, argv or
// a pipe. Errors name the host/port or command, the role and the SQLSTATE,
// never a password. Implementations are not thread-safe.
class RolePasswordApplier {
 public:
  virtual ~RolePasswordApplier() = default;

  // Sets `role`'s password to `new_password` (ASCII only: see
  // scram_verifier.h). Safe to repeat. Errors: InvalidArgument (role name
  // longer than 63 bytes or empty, non-ASCII password), Unavailable (server or
  // command unreachable), Unauthenticated (the login's password was refused),
  // PermissionDenied (not allowed to alter the role), NotFound (no such role),
  // DeadlineExceeded (the client stopped waiting), Aborted (the server gave
  // up: lock_timeout 55P03, statement_timeout or a cancel 57014, deadlock
  // 40P01), FailedPrecondition/Internal for other failures. Before the
  // ALTER ROLE the server's lock_timeout and statement_timeout are set below
  // the client's timeout. On error the role's password is unchanged, except
  // after Unavailable or DeadlineExceeded: the statement may have been sent
  // and committed without the reply reaching us (probe with CanLogIn).
  virtual absl::Status SetPassword(absl::string_view role, const SecretValue& new_password) = 0;

  // Alternating users: makes `role` exist as a LOGIN member of `like_role`
  // (so it has like_role's privileges, and `ALTER ROLE role SET role =
  // like_role` makes the objects it creates belong to like_role), then sets
  // its password as SetPassword does. A role that exists keeps its grants and
  // gets only the new password. Refuses (FailedPrecondition) when like_role
  // is a superuser: a member could become superuser. Needs a login allowed
  // to create roles (an admin). Errors: those of SetPassword.
  virtual absl::Status EnsureAlternateRole(absl::string_view role, absl::string_view like_role,
                                           const SecretValue& password) = 0;
};

// Probes logins, so `rotate` can tell which stored password is in force.
class LoginChecker {
 public:
  virtual ~LoginChecker() = default;
  // Opens a fresh connection as `role` with `password` and runs SELECT 1.
  // OK if it works and the server checked the password; FailedPrecondition
  // when it let the role in without checking it (pg_hba.conf `trust`, peer
  // or cert: no proof the password is in force); Unauthenticated when the
  // server refuses the password (SQLSTATE 28P01); PermissionDenied when the
  // login is not allowed
  // (28000, e.g. no pg_hba.conf entry); Unavailable when the server cannot be
  // reached or is starting/shutting down; NotFound for a missing database;
  // Internal otherwise.
  virtual absl::Status CanLogIn(absl::string_view role, const SecretValue& password) = 0;
};

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_ROLE_PASSWORD_APPLIER_H_

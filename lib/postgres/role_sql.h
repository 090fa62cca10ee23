// Role-name checks and the SQL scripts the exec route sends to psql's stdin.
// Pure functions: no connection, so identifiers are quoted here rather than by
// libpq's PQescapeIdentifier (the libpq route uses that).
#ifndef SECRETSYNC_LIB_POSTGRES_ROLE_SQL_H_
#define SECRETSYNC_LIB_POSTGRES_ROLE_SQL_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/postgres/server_timeouts.h"

namespace secretsync {
namespace postgres {

// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1).
inline constexpr size_t kMaxRoleNameBytes = 63;

// InvalidArgument for an empty role name, one longer than 63 bytes (the
// server would truncate it and could act on another role), with a NUL byte
// or not valid UTF-8. The message quotes no part of the name beyond its length.
absl::Status ValidateRoleName(absl::string_view role);

// `"name"` with every `"` doubled: a quoted identifier as PostgreSQL reads it
// (and as psql passes it through: no variable interpolation inside quotes).
std::string QuoteIdentifier(absl::string_view name);

// Every script sets the server's timeouts (ServerTimeoutsSql) first, so a
// statement waiting on a lock ends on the server (SQLSTATE 55P03 or 57014,
// rolled back) before the command's timeout. After each statement the script
// checks psql's ERROR variable: on the first error it prints
// "secretsync-sqlstate <SQLSTATE>" on stdout and quits (psql exits 0 then;
// an open transaction is rolled back), so the caller maps the SQLSTATE as
// the libpq route does (ParseScriptError). Needs psql 12 or later.

// psql stdin script: stop on the first error, set the server's timeouts,
// reset the role a login may have been switched to (ALTER ROLE ... SET role),
// then ALTER ROLE <role> PASSWORD '<verifier>'. The verifier must pass
// ValidateScramVerifier (so it needs no escaping and the server cannot take
// it for plaintext). Errors: InvalidArgument from either check.
absl::StatusOr<std::string> SetPasswordScript(absl::string_view role,
                                              absl::string_view verifier,
                                              const ServerTimeouts& timeouts);

// psql stdin script for RolePasswordApplier::EnsureAlternateRole, in one
// transaction: refuses (SQLSTATE 42704) if like_role is missing, (55000) if it
// is a superuser, creates `role` LOGIN IN ROLE like_role with
// `SET role = like_role` if missing, then sets its password to `verifier`.
absl::StatusOr<std::string> EnsureAlternateRoleScript(absl::string_view role,
                                                      absl::string_view like_role,
                                                      absl::string_view verifier,
                                                      const ServerTimeouts& timeouts);

// psql stdin script printing one line
// "secretsync-role:<rolcanlogin>:<not expired>:<rolpassword>" (booleans as
// true/false) for `role` from pg_authid, or nothing if there is no such role.
// Reading pg_authid needs a superuser login.
absl::StatusOr<std::string> StoredVerifierScript(absl::string_view role,
                                                 const ServerTimeouts& timeouts);

// The SQLSTATE a script printed when a statement failed: nullopt when it
// printed none (every statement succeeded), "" when the marker is there but
// holds no SQLSTATE (psql older than 12 has no SQLSTATE variable).
std::optional<std::string> ParseScriptError(absl::string_view psql_stdout);

// What StoredVerifierScript printed. `found` is false when no line was.
struct StoredRole {
  bool found = false;
  bool can_login = false;
  bool expired = false;
  std::string password;  // rolpassword: a verifier, "" for NULL
};
// InvalidArgument if the marker line is malformed.
absl::StatusOr<StoredRole> ParseStoredRole(absl::string_view psql_stdout);

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_ROLE_SQL_H_

// LibpqRoleApplier: ALTER ROLE ... PASSWORD '<verifier>' over libpq.
#include "lib/postgres/libpq_role_applier.h"

#include <cstring>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/postgres/libpq_connection.h"
#include "lib/postgres/pg_error.h"
#include "lib/postgres/role_sql.h"
#include "lib/postgres/scram_verifier.h"
#include "lib/postgres/server_timeouts.h"

namespace secretsync {
namespace postgres {
namespace {

// "ALTER ROLE <quoted> PASSWORD '<verifier>'" with the verifier computed by
// the server's libpq for `role` (the salt is random, 4096 iterations in 15).
absl::StatusOr<std::string> AlterPasswordSql(PGconn* conn, absl::string_view role,
                                             const SecretValue& password,
                                             absl::string_view where) {
  // The OpenSSL path refuses what libpq would SASLprep; check the same way
  // here so both routes accept the same passwords.
  SS_RETURN_IF_ERROR(Annotate(ValidateScramPassword(password), where));
  SS_ASSIGN_OR_RETURN(std::string quoted_role, EscapeRole(conn, role));
  const std::string role_z(role);
  // Expose(): libpq computes the verifier from the plaintext, client side.
  SecretValue pw_z(absl::StrCat(password.Expose(), std::string(1, '\0')));
  char* verifier =
      PQencryptPasswordConn(conn, pw_z.Expose().data(), role_z.c_str(), "scram-sha-256");
  if (verifier == nullptr) {
    return absl::InternalError(absl::StrCat(where, ": cannot compute the SCRAM verifier"));
  }
  absl::Cleanup free_verifier = [verifier] { PQfreemem(verifier); };
  SS_RETURN_IF_ERROR(Annotate(ValidateScramVerifier(verifier), where));
  char* literal = PQescapeLiteral(conn, verifier, std::strlen(verifier));
  if (literal == nullptr) {
    return absl::InternalError(absl::StrCat(where, ": cannot quote the verifier"));
  }
  std::string sql = absl::StrCat("ALTER ROLE ", quoted_role, " PASSWORD ", literal);
  PQfreemem(literal);
  return sql;
}

// The server's limits for options.query_timeout_seconds, then SET ROLE NONE
// (an alternate login is switched to the shared role and could not alter
// itself otherwise).
absl::StatusOr<std::string> SessionSetupSql(const ConnectionOptions& options,
                                            absl::string_view where) {
  absl::StatusOr<ServerTimeouts> limits =
      ServerTimeoutsFor(absl::Seconds(options.query_timeout_seconds));
  if (!limits.ok()) return Annotate(limits.status(), where);
  return absl::StrCat(ServerTimeoutsSql(*limits), "SET ROLE NONE;");
}

}  // namespace

LibpqRoleApplier::LibpqRoleApplier(ConnectionOptions options, std::string login_user,
                                   SecretValue login_password)
    : options_(std::move(options)),
      login_user_(std::move(login_user)),
      login_password_(std::move(login_password)) {}

absl::Status LibpqRoleApplier::SetPassword(absl::string_view role,
                                           const SecretValue& new_password) {
  const std::string where = absl::StrCat(Where(options_, login_user_), ": set password of role ",
                                         role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), where));
  SS_ASSIGN_OR_RETURN(std::string setup, SessionSetupSql(options_, where));
  SS_ASSIGN_OR_RETURN(PgConnPtr conn, Connect(options_, login_user_, login_password_));
  SS_ASSIGN_OR_RETURN(std::string alter, AlterPasswordSql(conn.get(), role, new_password, where));
  const int wait = options_.query_timeout_seconds;
  SS_RETURN_IF_ERROR(Exec(conn.get(), setup, where, wait));
  return Exec(conn.get(), alter, where, wait);
}

absl::Status LibpqRoleApplier::EnsureAlternateRole(absl::string_view role,
                                                   absl::string_view like_role,
                                                   const SecretValue& password) {
  const std::string where = absl::StrCat(Where(options_, login_user_), ": alternate role ",
                                         role, " like ", like_role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), where));
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(like_role), where));
  SS_ASSIGN_OR_RETURN(std::string setup, SessionSetupSql(options_, where));
  SS_ASSIGN_OR_RETURN(PgConnPtr conn, Connect(options_, login_user_, login_password_));
  const int wait = options_.query_timeout_seconds;
  PGconn* c = conn.get();
  SS_ASSIGN_OR_RETURN(std::string alter, AlterPasswordSql(c, role, password, where));
  SS_ASSIGN_OR_RETURN(std::string quoted_role, EscapeRole(c, role));
  SS_ASSIGN_OR_RETURN(std::string quoted_like, EscapeRole(c, like_role));

  SS_RETURN_IF_ERROR(Exec(c, setup, where, wait));
  SS_RETURN_IF_ERROR(Exec(c, "BEGIN", where, wait));
  // Without COMMIT, closing the connection rolls everything back.
  SS_ASSIGN_OR_RETURN(
      std::vector<std::string> su,
      QueryColumn(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = $1",
                  std::string(like_role), where, wait));
  if (su.empty()) {
    return absl::NotFoundError(absl::StrCat(where, ": role ", like_role, " does not exist"));
  }
  if (su[0] == "true") {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": role ", like_role,
        " is a superuser and a member of it could become superuser; give the tables a NOLOGIN "
        "owner role and alternate between two members of it instead"));
  }
  SS_ASSIGN_OR_RETURN(std::vector<std::string> exists,
                      QueryColumn(c, "SELECT 1 FROM pg_roles WHERE rolname = $1",
                                  std::string(role), where, wait));
  if (exists.empty()) {
    SS_RETURN_IF_ERROR(Exec(
        c, absl::StrCat("CREATE ROLE ", quoted_role, " LOGIN IN ROLE ", quoted_like), where,
        wait));
    // SET role takes a name as a string: quote like_role as a literal.
    char* like_literal = PQescapeLiteral(c, like_role.data(), like_role.size());
    if (like_literal == nullptr) return absl::InternalError(absl::StrCat(where, ": quoting"));
    std::string set_role =
        absl::StrCat("ALTER ROLE ", quoted_role, " SET role = ", like_literal);
    PQfreemem(like_literal);
    SS_RETURN_IF_ERROR(Exec(c, set_role, where, wait));
  }
  SS_RETURN_IF_ERROR(Exec(c, alter, where, wait));
  return Exec(c, "COMMIT", where, wait);
}

absl::Status LibpqRoleApplier::CanLogIn(absl::string_view role, const SecretValue& password) {
  const std::string where = Where(options_, role);
  SS_RETURN_IF_ERROR(Annotate(ValidateRoleName(role), where));
  SS_ASSIGN_OR_RETURN(PgConnPtr conn, Connect(options_, role, password));
  // Under a pg_hba.conf `trust` (or peer, cert) line any password "works":
  // such a login proves nothing about which password is in force.
  if (!PQconnectionUsedPassword(conn.get())) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": the server accepted a login without checking the password (pg_hba trust?): "
               "refusing to treat it as proof; use scram-sha-256 for this role in pg_hba.conf"));
  }
  return Exec(conn.get(), "SELECT 1", absl::StrCat(where, ": SELECT 1"),
              options_.query_timeout_seconds);
}

}  // namespace postgres
}  // namespace secretsync

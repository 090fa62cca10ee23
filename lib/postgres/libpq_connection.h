// A libpq connection opened from a parameter array (never a conninfo string),
// with its errors turned into Status by SQLSTATE.
#ifndef SECRETSYNC_LIB_POSTGRES_LIBPQ_CONNECTION_H_
#define SECRETSYNC_LIB_POSTGRES_LIBPQ_CONNECTION_H_

#include <postgresql/libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/postgres/role_password_applier.h"

namespace secretsync {
namespace postgres {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

// "postgres 127.0.0.1:5432 role glitchtip_maintainer": the context of errors.
std::string Where(const ConnectionOptions& opts, absl::string_view role);

// TCP keepalives every connection asks for: a peer that vanishes (host down,
// cable pulled, NAT state lost) is noticed after about idle + interval *
// count seconds instead of the kernel's two hours.
inline constexpr int kKeepalivesIdleSeconds = 5;
inline constexpr int kKeepalivesIntervalSeconds = 2;
inline constexpr int kKeepalivesCount = 3;

// Connects as `user` with `password`, passed to libpq in a keyword/value
// array (with host, port, dbname, sslmode, connect_timeout, keepalives=1 with
// the kKeepalives* settings, and application_name), never in a string built
// by concatenation, argv or the environment. The connection is started
// non-blocking with verbose errors, so a refusal carries its SQLSTATE; the
// whole attempt is bounded by connect_timeout_seconds (DeadlineExceeded).
// The connection it returns is in non-blocking mode (for Exec's deadline).
// InvalidArgument for an unknown sslmode, a port outside 1-65535 or a
// timeout below 1 s. Other errors as LoginChecker::CanLogIn describes,
// messages from Where() plus the server's message with the password redacted.
absl::StatusOr<PgConnPtr> Connect(const ConnectionOptions& opts, absl::string_view user,
                                  const SecretValue& password);

// Runs `sql` (one or more statements, no parameters), waiting at most
// `timeout_seconds` for the reply. Errors, with `context` and never quoting
// `sql`: DeadlineExceeded when no reply came in time and Unavailable when
// the connection was lost after sending (in both the statement may have
// committed); otherwise PgError from the first failed statement's SQLSTATE
// (the server refused or rolled back: nothing committed).
absl::Status Exec(PGconn* conn, const std::string& sql, absl::string_view context,
                  int timeout_seconds);

// Runs a one-parameter query as Exec does and returns the first column of
// each row.
absl::StatusOr<std::vector<std::string>> QueryColumn(PGconn* conn, const char* sql,
                                                     const std::string& param,
                                                     absl::string_view context,
                                                     int timeout_seconds);

// PQescapeIdentifier for a role name. InvalidArgument for an empty name or one
// longer than 63 bytes (the server would truncate it and could then act on
// another role).
absl::StatusOr<std::string> EscapeRole(PGconn* conn, absl::string_view role);

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_LIBPQ_CONNECTION_H_

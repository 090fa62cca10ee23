// Server-side limits sent before a password change (SET lock_timeout and
// SET statement_timeout), derived from the client's own timeout so that the
// server gives up, and rolls back, before the client stops waiting.
#ifndef SECRETSYNC_LIB_POSTGRES_SERVER_TIMEOUTS_H_
#define SECRETSYNC_LIB_POSTGRES_SERVER_TIMEOUTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace secretsync {
namespace postgres {

// Why: when the client's timeout ends first, the ALTER ROLE may still commit
// on the server (the client only stops waiting), so the outcome is unknown.
// When the server's ends first, it cancels the statement (SQLSTATE 55P03 for
// lock_timeout, 57014 for statement_timeout) and nothing is committed.
struct ServerTimeouts {
  absl::Duration lock_timeout;
  absl::Duration statement_timeout;
};

// The smallest client timeout ServerTimeoutsFor accepts.
inline constexpr absl::Duration kMinClientTimeout = absl::Seconds(1);

// statement_timeout = half of `client_timeout`, lock_timeout = a quarter,
// both in whole milliseconds: the other half is left for the connection, a
// slow `docker compose exec` start and the reply's way back. So
// lock_timeout < statement_timeout < client_timeout always. InvalidArgument
// when `client_timeout` is below kMinClientTimeout (or infinite).
absl::StatusOr<ServerTimeouts> ServerTimeoutsFor(absl::Duration client_timeout);

// "SET lock_timeout = '<n>ms'" and "SET statement_timeout = '<n>ms'" (no
// `;`): session settings for the statements that follow on the connection.
std::vector<std::string> ServerTimeoutsStatements(const ServerTimeouts& timeouts);

// ServerTimeoutsStatements, each ended by ";\n", as one string.
std::string ServerTimeoutsSql(const ServerTimeouts& timeouts);

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_SERVER_TIMEOUTS_H_

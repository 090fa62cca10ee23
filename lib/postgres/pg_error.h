// One place turns PostgreSQL outcomes (SQLSTATE, psql exit codes) into Status.
#ifndef SECRETSYNC_LIB_POSTGRES_PG_ERROR_H_
#define SECRETSYNC_LIB_POSTGRES_PG_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace postgres {

// The status code for a SQLSTATE: 28P01 Unauthenticated; 28000 and 42501
// PermissionDenied; 3D000 and 42704 NotFound; class 08, 57P01-57P03 and 53300
// Unavailable; 55P03 (lock_timeout), 57014 (statement_timeout or a cancel)
// and 40P01 (deadlock) Aborted: the server gave up and rolled the statement
// back, so unlike a client-side DeadlineExceeded nothing was committed;
// 42710 AlreadyExists; 55000 (object not in prerequisite state)
// FailedPrecondition; "" (no server reply) Unavailable; anything else
// Internal.
absl::StatusCode CodeForSqlState(absl::string_view sqlstate);

// "<context>: <message> (SQLSTATE <s>)" with CodeForSqlState's code. The
// message is the first line of `server_message` with every occurrence of
// each `secrets` entry replaced by "<redacted>" (libpq can quote connection
// parameters); empty secrets are ignored.
absl::Status PgError(absl::string_view context, absl::string_view sqlstate,
                     absl::string_view server_message,
                     std::initializer_list<absl::string_view> secrets = {});

// Parses libpq's verbose connection error ("FATAL:  28P01: password ...") into
// its SQLSTATE and message; a message without one (e.g. "connection
// refused") gives sqlstate "" and the first line as is.
struct ParsedConnectError {
  std::string sqlstate;
  std::string message;
};
ParsedConnectError ParseConnectError(absl::string_view libpq_message);

}  // namespace postgres
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_POSTGRES_PG_ERROR_H_

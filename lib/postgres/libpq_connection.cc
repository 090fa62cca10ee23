// libpq connections: non-blocking start for verbose (SQLSTATE) errors.
#include "lib/postgres/libpq_connection.h"

#include <poll.h>

#include <chrono>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "lib/postgres/pg_error.h"
#include "lib/postgres/role_sql.h"

namespace secretsync {
namespace postgres {
namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

std::string Where(const ConnectionOptions& opts, absl::string_view role) {
  return absl::StrCat("postgres ", opts.host, ":", opts.port, " role ", role);
}

absl::StatusOr<PgConnPtr> Connect(const ConnectionOptions& opts, absl::string_view user,
                                  const SecretValue& password) {
  const std::string where = Where(opts, user);
  if (opts.connect_timeout_seconds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": connect_timeout_seconds must be at least 1"));
  }
  if (opts.sslmode != "disable" && opts.sslmode != "allow" && opts.sslmode != "prefer" &&
      opts.sslmode != "require" && opts.sslmode != "verify-ca" && opts.sslmode != "verify-full") {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": sslmode must be disable, allow, prefer, require, verify-ca or verify-full"));
  }
  if (opts.port < 1 || opts.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": port must be 1-65535"));
  }
  const std::string port = absl::StrCat(opts.port);
  const std::string timeout = absl::StrCat(opts.connect_timeout_seconds);
  const std::string user_s(user);
  // Expose(): libpq needs the password as a C string; it lives in a
  // SecretValue-owned buffer, copied into a wiped-on-destruction one.
  SecretValue pw_z(absl::StrCat(password.Expose(), std::string(1, '\0')));
  const char* keys[] = {"host",   "port",         "dbname",           "user",
                        "password", "sslmode",    "connect_timeout", "application_name",
                        nullptr};
  const char* values[] = {opts.host.c_str(),   port.c_str(),   opts.database.c_str(),
                          user_s.c_str(),      pw_z.Expose().data(), opts.sslmode.c_str(),
                          timeout.c_str(),     "secretsync-rotate",  nullptr};
  PgConnPtr conn(PQconnectStartParams(keys, values, 0));
  if (conn == nullptr) return absl::ResourceExhaustedError(absl::StrCat(where, ": out of memory"));
  PQsetErrorVerbosity(conn.get(), PQERRORS_VERBOSE);

  const auto deadline = SteadyClock::now() + std::chrono::seconds(opts.connect_timeout_seconds);
  PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
  while (PQstatus(conn.get()) != CONNECTION_BAD && poll_status != PGRES_POLLING_OK &&
         poll_status != PGRES_POLLING_FAILED) {
    struct pollfd p = {PQsocket(conn.get()),
                       static_cast<short>(poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT),
                       0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                      SteadyClock::now());
    if (left.count() <= 0) {
      return absl::DeadlineExceededError(absl::StrCat(
          where, ": no connection within ", opts.connect_timeout_seconds, " s"));
    }
    if (p.fd >= 0) {
      int r = ::poll(&p, 1, static_cast<int>(left.count()));
      if (r == 0) continue;  // the deadline check above ends the loop
    }
    poll_status = PQconnectPoll(conn.get());
  }
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ParsedConnectError e = ParseConnectError(PQerrorMessage(conn.get()));
    return PgError(where, e.sqlstate, e.message, {password.Expose()});
  }
  return conn;
}

absl::Status Exec(PGconn* conn, const std::string& sql, absl::string_view context) {
  PGresult* res = PQexec(conn, sql.c_str());
  absl::Cleanup clear = [res] { PQclear(res); };
  ExecStatusType st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return absl::OkStatus();
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  return PgError(context, state ? state : "", primary ? primary : PQerrorMessage(conn));
}

absl::StatusOr<std::vector<std::string>> QueryColumn(PGconn* conn, const char* sql,
                                                     const std::string& param,
                                                     absl::string_view context) {
  const char* params[] = {param.c_str()};
  PGresult* res = PQexecParams(conn, sql, 1, nullptr, params, nullptr, nullptr, 0);
  absl::Cleanup clear = [res] { PQclear(res); };
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    return PgError(context, state ? state : "", primary ? primary : PQerrorMessage(conn));
  }
  std::vector<std::string> out;
  for (int r = 0; r < PQntuples(res); ++r) out.emplace_back(PQgetvalue(res, r, 0));
  return out;
}

absl::StatusOr<std::string> EscapeRole(PGconn* conn, absl::string_view role) {
  absl::Status valid = ValidateRoleName(role);
  if (!valid.ok()) return valid;
  char* quoted = PQescapeIdentifier(conn, role.data(), role.size());
  if (quoted == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("role name cannot be quoted: ", PQerrorMessage(conn)));
  }
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

}  // namespace postgres
}  // namespace secretsync

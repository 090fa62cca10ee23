// libpq connections: non-blocking start for verbose (SQLSTATE) errors.
#include "lib/postgres/libpq_connection.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/postgres/pg_error.h"
#include "lib/postgres/role_sql.h"

namespace secretsync {
namespace postgres {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

bool Succeeded(const PGresult* r) {
  const ExecStatusType st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

// Waits until `conn`'s socket is ready for `events`; false once `deadline`
// has passed.
bool WaitSocket(PGconn* conn, short events, SteadyClock::time_point deadline) {
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return false;
    struct pollfd p = {PQsocket(conn), events, 0};
    if (p.fd < 0) return true;  // no socket: the next libpq call reports why
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;
  }
}

absl::Status Lost(PGconn* conn, absl::string_view context) {
  absl::string_view why = PQerrorMessage(conn);
  why = absl::StripAsciiWhitespace(why.substr(0, why.find('\n')));
  return absl::UnavailableError(absl::StrCat(
      context, ": connection lost (a statement already sent may have committed): ",
      why.empty() ? "no reason given" : why));
}

// Collects the replies to what was just sent on `conn`: the first failed
// result, else the last one. Errors: DeadlineExceeded, Unavailable (see Exec).
absl::StatusOr<PgResultPtr> AwaitResults(PGconn* conn, absl::string_view context,
                                         int timeout_seconds) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(timeout_seconds);
  auto late = [&] {
    return absl::DeadlineExceededError(
        absl::StrCat(context, ": no reply within ", timeout_seconds,
                     " s after the statement was sent, so it may have committed"));
  };
  for (;;) {  // a non-blocking connection may hold unsent bytes
    int flushed = PQflush(conn);
    if (flushed == 0) break;
    if (flushed < 0) return Lost(conn, context);
    if (!WaitSocket(conn, POLLIN | POLLOUT, deadline)) return late();
    if (!PQconsumeInput(conn)) return Lost(conn, context);
  }
  PgResultPtr kept;
  for (;;) {
    while (PQisBusy(conn)) {
      if (!WaitSocket(conn, POLLIN, deadline)) return late();
      if (!PQconsumeInput(conn)) return Lost(conn, context);
    }
    PgResultPtr r(PQgetResult(conn));
    if (r == nullptr) break;
    if (kept == nullptr || Succeeded(kept.get())) kept = std::move(r);
  }
  if (kept == nullptr) return Lost(conn, context);
  return kept;
}

// OK for a successful result; Unavailable when the connection broke; else
// the result's SQLSTATE through PgError.
absl::Status ResultStatus(PGconn* conn, const PGresult* res, absl::string_view context) {
  if (Succeeded(res)) return absl::OkStatus();
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  if (PQstatus(conn) == CONNECTION_BAD && (state == nullptr || *state == '\0')) {
    return Lost(conn, context);
  }
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  return PgError(context, state ? state : "", primary ? primary : PQerrorMessage(conn));
}

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
  if (opts.query_timeout_seconds < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": query_timeout_seconds must be at least 1"));
  }
  const std::string timeout = absl::StrCat(opts.connect_timeout_seconds);
  const std::string idle = absl::StrCat(kKeepalivesIdleSeconds);
  const std::string interval = absl::StrCat(kKeepalivesIntervalSeconds);
  const std::string count = absl::StrCat(kKeepalivesCount);
  const std::string user_s(user);
  // Expose(): libpq needs the password as a C string; it lives in a
  // SecretValue-owned buffer, copied into a wiped-on-destruction one.
  SecretValue pw_z(absl::StrCat(password.Expose(), std::string(1, '\0')));
  const char* keys[] = {"host",          "port",          "dbname",
                        "user",          "password",      "sslmode",
                        "connect_timeout", "keepalives",  "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "application_name",
                        nullptr};
  const char* values[] = {opts.host.c_str(), port.c_str(),        opts.database.c_str(),
                          user_s.c_str(),    pw_z.Expose().data(), opts.sslmode.c_str(),
                          timeout.c_str(),   "1",                  idle.c_str(),
                          interval.c_str(),  count.c_str(),        "secretsync-rotate",
                          nullptr};
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
  if (PQsetnonblocking(conn.get(), 1) != 0) {
    return absl::InternalError(absl::StrCat(where, ": cannot make the connection non-blocking"));
  }
  return conn;
}

absl::Status Exec(PGconn* conn, const std::string& sql, absl::string_view context,
                  int timeout_seconds) {
  if (!PQsendQuery(conn, sql.c_str())) return Lost(conn, context);
  absl::StatusOr<PgResultPtr> res = AwaitResults(conn, context, timeout_seconds);
  if (!res.ok()) return res.status();
  return ResultStatus(conn, res->get(), context);
}

absl::StatusOr<std::vector<std::string>> QueryColumn(PGconn* conn, const char* sql,
                                                     const std::string& param,
                                                     absl::string_view context,
                                                     int timeout_seconds) {
  const char* params[] = {param.c_str()};
  if (!PQsendQueryParams(conn, sql, 1, nullptr, params, nullptr, nullptr, 0)) {
    return Lost(conn, context);
  }
  absl::StatusOr<PgResultPtr> res = AwaitResults(conn, context, timeout_seconds);
  if (!res.ok()) return res.status();
  SS_RETURN_IF_ERROR(ResultStatus(conn, res->get(), context));
  std::vector<std::string> out;
  for (int r = 0; r < PQntuples(res->get()); ++r) out.emplace_back(PQgetvalue(res->get(), r, 0));
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

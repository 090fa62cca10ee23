// PostgresServer: a real, throwaway PostgreSQL 15 on 127.0.0.1 for tests, run
// as a non-root user, with scram-sha-256 logins and every statement logged.
#ifndef SECRETSYNC_LIB_TESTING_POSTGRES_SERVER_H_
#define SECRETSYNC_LIB_TESTING_POSTGRES_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct pg_conn;  // libpq's PGconn

namespace secretsync {
namespace testing {

struct PostgresServerOptions {
  // A LOGIN role (not a superuser) owning `database`, created with a
  // verifier so its password never shows in the server log.
  std::string role = "glitchtip_maintainer";
  std::string role_password = "Initial-Maintainer-Pw-1";
  std::string database = "glitchtip";
  // Roles that get a `host all <role> 127.0.0.1/32 trust` line ahead of the
  // scram-sha-256 ones in pg_hba.conf: the server lets them in over TCP
  // without checking any password.
  std::vector<std::string> trust_roles;
};

// A connection kept open across statements (e.g. to hold a lock while the
// code under test waits on it). Closes on destruction. Not thread-safe.
class PostgresSession {
 public:
  explicit PostgresSession(pg_conn* conn) : conn_(conn) {}
  ~PostgresSession();
  PostgresSession(const PostgresSession&) = delete;
  PostgresSession& operator=(const PostgresSession&) = delete;
  // Runs `sql` (one or more statements); Internal with the server's message
  // on failure.
  absl::Status Exec(absl::string_view sql);

 private:
  pg_conn* conn_;
};

// Starts `initdb` + `pg_ctl start` in a fresh folder (under TEST_TMPDIR when
// the server user can reach it and the socket path fits, else under /tmp),
// on a free port, with password_encryption = scram-sha-256, log_statement =
// all, the log in a file (ReadLog), TCP only on 127.0.0.1 (scram-sha-256) and
// a Unix socket in the folder with `trust`, as the postgres image's `local`
// line has. As root (CI) every server command runs as the `postgres` system
// user through setpriv, since PostgreSQL refuses root. The destructor stops
// the server and removes the folder, also when a test assertion failed.
// Not thread-safe.
class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(
      PostgresServerOptions options = PostgresServerOptions());
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  // Folder holding the Unix socket (psql -h <socket_dir> -p <port>).
  const std::string& socket_dir() const { return dir_; }
  const PostgresServerOptions& options() const { return options_; }
  std::string superuser() const { return "postgres"; }
  std::string superuser_password() const { return "Fixture-Superuser-Pw-1"; }
  // /usr/lib/postgresql/15/bin/psql
  static std::string PsqlPath();

  // The server log so far (every statement, with log_statement = all).
  absl::StatusOr<std::string> ReadLog() const;
  // Runs `sql` as the superuser in `database` (default options().database)
  // over TCP; returns the rows, each a vector of column texts (NULL = "").
  absl::StatusOr<std::vector<std::vector<std::string>>> Query(absl::string_view sql,
                                                               absl::string_view database = "");
  // As Query, logged in as `user` with `password` over TCP (scram-sha-256).
  absl::StatusOr<std::vector<std::vector<std::string>>> QueryAs(absl::string_view user,
                                                                 absl::string_view password,
                                                                 absl::string_view sql,
                                                                 absl::string_view database = "");
  // A connection as the superuser to `database` (default options().database)
  // over TCP, kept open until the session is destroyed.
  absl::StatusOr<std::unique_ptr<PostgresSession>> OpenSession(absl::string_view database = "");
  // pg_ctl stop -m fast; idempotent. Later connections fail (Unavailable).
  absl::Status Stop();

 private:
  PostgresServer(PostgresServerOptions options, std::string dir);
  // PQconnectdbParams over TCP; the caller PQfinishes it.
  pg_conn* ConnectAs(absl::string_view user, absl::string_view password,
                     absl::string_view database) const;
  absl::Status RunAsServerUser(const std::vector<std::string>& argv);
  absl::Status InitAndStart();

  PostgresServerOptions options_;
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace testing
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_POSTGRES_SERVER_H_

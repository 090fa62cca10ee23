// PostgresServer: initdb/pg_ctl through setpriv when root, libpq for queries.
#include "lib/testing/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <postgresql/libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/command_runner.h"
#include "lib/base/filesystem.h"
#include "lib/base/status_macros.h"

namespace secretsync {
namespace testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin/";
constexpr int kStartAttempts = 5;

// A port that was free on 127.0.0.1 a moment ago (the bind race with other
// tests is handled by retrying the start).
absl::StatusOr<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "postgres fixture: socket");
  absl::Cleanup closer = [fd] { close(fd); };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::ErrnoToStatus(errno, "postgres fixture: bind 127.0.0.1:0");
  }
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return absl::ErrnoToStatus(errno, "postgres fixture: getsockname");
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

// True when a process with `pw`'s uid/gid may traverse every folder of `path`.
bool Traversable(const passwd& pw, const std::string& path) {
  std::filesystem::path p(path);
  for (std::filesystem::path cur = p; ; cur = cur.parent_path()) {
    struct stat st;
    if (stat(cur.c_str(), &st) != 0) return false;
    bool ok = (st.st_uid == pw.pw_uid) ? (st.st_mode & S_IXUSR)
              : (st.st_gid == pw.pw_gid) ? (st.st_mode & S_IXGRP)
                                          : (st.st_mode & S_IXOTH);
    if (!ok) return false;
    if (cur == cur.parent_path()) return true;
  }
}

absl::Status WriteText(const std::string& path, absl::string_view text, bool append) {
  std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("postgres fixture: cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

std::string PostgresServer::PsqlPath() { return absl::StrCat(kBinDir, "psql"); }

PostgresServer::PostgresServer(PostgresServerOptions options, std::string dir)
    : options_(std::move(options)), dir_(std::move(dir)) {}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(
    PostgresServerOptions options) {
  const passwd* server_user = nullptr;
  if (geteuid() == 0) {
    server_user = getpwnam("postgres");
    if (server_user == nullptr) {
      return absl::FailedPreconditionError(
          "postgres fixture: running as root needs the postgres system user "
          "(apt-get install postgresql)");
    }
  }
  // The socket path must fit in sun_path (108 bytes) and, as root, the
  // postgres user must reach the folder: bazel's TEST_TMPDIR under /root
  // (0700) does not qualify, so /tmp is used then.
  std::string base = "/tmp";
  const char* test_tmp = getenv("TEST_TMPDIR");
  if (test_tmp != nullptr && std::strlen(test_tmp) < 60 &&
      (server_user == nullptr || Traversable(*server_user, test_tmp))) {
    base = test_tmp;
  }
  std::string templ = JoinPath(base, "ss-pg-XXXXXX");
  if (mkdtemp(&templ[0]) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("postgres fixture: mkdtemp in ", base));
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer(std::move(options), templ));
  if (server_user != nullptr &&
      chown(templ.c_str(), server_user->pw_uid, server_user->pw_gid) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("postgres fixture: chown ", templ));
  }
  SS_RETURN_IF_ERROR(server->InitAndStart());
  return server;
}

absl::Status PostgresServer::RunAsServerUser(const std::vector<std::string>& argv) {
  std::vector<std::string> full;
  if (geteuid() == 0) {
    // env -C /: the test's working folder (under /root) is closed to postgres.
    full = {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups",
            "/usr/bin/env", "-C", "/"};
  }
  full.insert(full.end(), argv.begin(), argv.end());
  RealCommandRunner runner;
  SS_ASSIGN_OR_RETURN(CommandResult r, runner.Run(full, {}, absl::Seconds(60)));
  if (r.exit_code != 0 || r.timed_out) {
    return absl::InternalError(absl::StrCat("postgres fixture: ", argv[0], " exited with ",
                                            r.exit_code, r.timed_out ? " (timed out)" : ""));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::InitAndStart() {
  const std::string data = JoinPath(dir_, "data");
  const std::string pwfile = JoinPath(dir_, "superuser-password");
  SS_RETURN_IF_ERROR(WriteText(pwfile, superuser_password(), false));
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (chown(pwfile.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::ErrnoToStatus(errno, "postgres fixture: chown password file");
    }
  }
  SS_RETURN_IF_ERROR(RunAsServerUser({absl::StrCat(kBinDir, "initdb"), "--no-sync", "-D", data,
                                      "-U", superuser(), "--pwfile", pwfile,
                                      "--auth-host=scram-sha-256", "--auth-local=trust"}));
  std::filesystem::remove(pwfile);
  if (!options_.trust_roles.empty()) {
    // pg_hba.conf is read top-down and the first matching line wins.
    const std::string hba = JoinPath(data, "pg_hba.conf");
    RealFilesystem fs;
    SS_ASSIGN_OR_RETURN(std::string lines, fs.ReadFile(hba, 1 << 20));
    std::string trust = "# secretsync test fixture: trust_roles\n";
    for (const std::string& role : options_.trust_roles) {
      absl::StrAppend(&trust, "host all \"", role, "\" 127.0.0.1/32 trust\n");
    }
    SS_RETURN_IF_ERROR(WriteText(hba, absl::StrCat(trust, lines), false));
  }

  const std::string log = JoinPath(dir_, "server.log");
  for (int attempt = 1;; ++attempt) {
    SS_ASSIGN_OR_RETURN(port_, PickFreePort());
    // The settings go into postgresql.conf (last one wins), not through
    // pg_ctl -o, which a shell would split.
    SS_RETURN_IF_ERROR(WriteText(
        JoinPath(data, "postgresql.conf"),
        absl::StrCat("\n# secretsync test fixture\nport = ", port_,
                     "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '", dir_,
                     "'\npassword_encryption = 'scram-sha-256'\nlog_statement = 'all'\n"
                     "log_connections = on\nfsync = off\nsynchronous_commit = off\n"
                     "log_line_prefix = '%m [%p] %q%u@%d '\n"),
        true));
    absl::Status started = RunAsServerUser({absl::StrCat(kBinDir, "pg_ctl"), "-D", data, "-l",
                                            log, "-s", "-w", "-t", "60", "start"});
    if (started.ok()) break;
    auto text = ReadLog();
    bool port_taken = text.ok() && absl::StrContains(*text, "could not bind");
    if (!port_taken || attempt == kStartAttempts) return started;
  }
  running_ = true;

  // The role gets a verifier, so that its password is not in the log.
  PGconn* conn = nullptr;
  {
    std::string port = absl::StrCat(port_);
    std::string pw = superuser_password();
    const char* keys[] = {"host", "port", "user", "password", "dbname", nullptr};
    const char* values[] = {"127.0.0.1", port.c_str(), "postgres", pw.c_str(), "postgres",
                            nullptr};
    conn = PQconnectdbParams(keys, values, 0);
  }
  absl::Cleanup finish = [conn] { PQfinish(conn); };
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::InternalError("postgres fixture: superuser login failed");
  }
  char* verifier = PQencryptPasswordConn(conn, options_.role_password.c_str(),
                                         options_.role.c_str(), "scram-sha-256");
  if (verifier == nullptr) return absl::InternalError("postgres fixture: PQencryptPasswordConn");
  char* role = PQescapeIdentifier(conn, options_.role.c_str(), options_.role.size());
  char* lit = PQescapeLiteral(conn, verifier, std::strlen(verifier));
  char* db = PQescapeIdentifier(conn, options_.database.c_str(), options_.database.size());
  std::string create_role = absl::StrCat("CREATE ROLE ", role, " LOGIN PASSWORD ", lit);
  std::string create_db = absl::StrCat("CREATE DATABASE ", db, " OWNER ", role);
  PQfreemem(verifier);
  PQfreemem(role);
  PQfreemem(lit);
  PQfreemem(db);
  for (const std::string& sql : {create_role, create_db}) {
    PGresult* res = PQexec(conn, sql.c_str());
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string err = PQresultErrorMessage(res);
    PQclear(res);
    if (!ok) return absl::InternalError(absl::StrCat("postgres fixture: setup: ", err));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PostgresServer::ReadLog() const {
  RealFilesystem fs;
  return fs.ReadFile(JoinPath(dir_, "server.log"), 64 << 20);
}

absl::StatusOr<std::vector<std::vector<std::string>>> PostgresServer::Query(
    absl::string_view sql, absl::string_view database) {
  return QueryAs(superuser(), superuser_password(), sql, database);
}

PGconn* PostgresServer::ConnectAs(absl::string_view user, absl::string_view password,
                                  absl::string_view database) const {
  std::string port = absl::StrCat(port_);
  std::string u(user);
  std::string pw(password);
  std::string db(database.empty() ? options_.database : database);
  const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout",
                        nullptr};
  const char* values[] = {"127.0.0.1", port.c_str(), u.c_str(), pw.c_str(), db.c_str(), "10",
                          nullptr};
  return PQconnectdbParams(keys, values, 0);
}

absl::StatusOr<std::unique_ptr<PostgresSession>> PostgresServer::OpenSession(
    absl::string_view database) {
  auto session = std::make_unique<PostgresSession>(
      ConnectAs(superuser(), superuser_password(), database));
  SS_RETURN_IF_ERROR(session->Exec("SELECT 1"));
  return session;
}

PostgresSession::~PostgresSession() { PQfinish(conn_); }

absl::Status PostgresSession::Exec(absl::string_view sql) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgres fixture: session: ", PQerrorMessage(conn_)));
  }
  PGresult* res = PQexec(conn_, std::string(sql).c_str());
  absl::Cleanup clear = [res] { PQclear(res); };
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat("postgres fixture: session: ", PQresultErrorMessage(res)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::vector<std::string>>> PostgresServer::QueryAs(
    absl::string_view user, absl::string_view password, absl::string_view sql,
    absl::string_view database) {
  PGconn* conn = ConnectAs(user, password, database);
  absl::Cleanup finish = [conn] { PQfinish(conn); };
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgres fixture: connect: ", PQerrorMessage(conn)));
  }
  std::string text(sql);
  PGresult* res = PQexec(conn, text.c_str());
  absl::Cleanup clear = [res] { PQclear(res); };
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat("postgres fixture: query: ", PQresultErrorMessage(res)));
  }
  std::vector<std::vector<std::string>> rows;
  for (int r = 0; r < PQntuples(res); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(res); ++c) row.emplace_back(PQgetvalue(res, r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::Status PostgresServer::Stop() {
  if (!running_) return absl::OkStatus();
  running_ = false;
  return RunAsServerUser({absl::StrCat(kBinDir, "pg_ctl"), "-D", JoinPath(dir_, "data"), "-m",
                          "fast", "-s", "-w", "stop"});
}

PostgresServer::~PostgresServer() {
  Stop().IgnoreError();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace testing
}  // namespace secretsync

// The PostgreSQL fixture: a real server that the role can log in to, that logs
// statements to a readable file and that leaves nothing behind.
#include "lib/testing/postgres_server.h"

#include <postgresql/libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

bool CanLogIn(const PostgresServer& s, const std::string& user, const std::string& password) {
  std::string port = absl::StrCat(s.port());
  const char* keys[] = {"host", "port", "user", "password", "dbname", nullptr};
  const char* values[] = {"127.0.0.1", port.c_str(), user.c_str(), password.c_str(),
                          s.options().database.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  bool ok = PQstatus(conn) == CONNECTION_OK;
  PQfinish(conn);
  return ok;
}

TEST(PostgresServerTest, RoleLogsInWithScramAndPasswordIsNotLogged) {
  auto server = PostgresServer::Start();
  ASSERT_THAT(server, IsOk());
  PostgresServer& s = **server;
  EXPECT_GT(s.port(), 0);
  EXPECT_TRUE(CanLogIn(s, "glitchtip_maintainer", "Initial-Maintainer-Pw-1"));
  EXPECT_FALSE(CanLogIn(s, "glitchtip_maintainer", "wrong"));

  auto rows = s.Query("SHOW password_encryption");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("scram-sha-256")));
  rows = s.Query(
      "SELECT left(rolpassword, 14), rolsuper FROM pg_authid WHERE rolname = "
      "'glitchtip_maintainer'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("SCRAM-SHA-256$", "f")));
  rows = s.Query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'glitchtip'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("glitchtip_maintainer")));

  ASSERT_THAT(s.Query("SELECT 'fixture-log-marker-42'"), IsOk());
  auto log = s.ReadLog();
  ASSERT_THAT(log, IsOk());
  EXPECT_THAT(*log, HasSubstr("statement: SELECT 'fixture-log-marker-42'"));
  EXPECT_THAT(*log, Not(HasSubstr("Initial-Maintainer-Pw-1")));
  EXPECT_THAT(*log, Not(HasSubstr(s.superuser_password())));
}

TEST(PostgresServerTest, DestructorStopsServerAndRemovesFolder) {
  std::string dir;
  int port = 0;
  {
    auto server = PostgresServer::Start();
    ASSERT_THAT(server, IsOk());
    dir = (*server)->socket_dir();
    port = (*server)->port();
    struct stat st;
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
  }
  struct stat st;
  EXPECT_NE(stat(dir.c_str(), &st), 0);
  std::string p = absl::StrCat(port);
  const char* keys[] = {"host", "port", "dbname", "connect_timeout", nullptr};
  const char* values[] = {"127.0.0.1", p.c_str(), "postgres", "5", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 0);
  EXPECT_EQ(PQstatus(conn), CONNECTION_BAD);
  EXPECT_THAT(std::string(PQerrorMessage(conn)), HasSubstr("refused"));
  PQfinish(conn);
}

TEST(PostgresServerTest, StopMakesQueriesUnavailable) {
  auto server = PostgresServer::Start();
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT((*server)->Stop(), IsOk());
  EXPECT_THAT((*server)->Query("SELECT 1"), StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_THAT((*server)->Stop(), IsOk());  // idempotent
}

}  // namespace
}  // namespace testing
}  // namespace secretsync

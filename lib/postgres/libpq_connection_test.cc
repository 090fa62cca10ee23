// Connect and Exec against a real PostgreSQL 15: the connection asks for TCP
// keepalives, a reply that does not come in time is DeadlineExceeded, a
// connection lost after sending is Unavailable, and the server's own
// lock_timeout is Aborted (definitive).
#include "lib/postgres/libpq_connection.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/postgres_server.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::PostgresServer;
using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kCanary[] = "CANARY-conn-5d1e";
constexpr char kRole[] = "glitchtip_maintainer";

class LibpqConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secretsync::testing::PostgresServerOptions opts;
    opts.role_password = absl::StrCat(kCanary, "-Pw");
    auto server = PostgresServer::Start(opts);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    ConnectionOptions c;
    c.port = server_->port();
    c.database = "glitchtip";
    c.sslmode = "disable";
    c.connect_timeout_seconds = 5;
    auto conn = Connect(c, kRole, SecretValue(absl::StrCat(kCanary, "-Pw")));
    ASSERT_THAT(conn, IsOk());
    conn_ = std::move(*conn);
  }

  std::unique_ptr<PostgresServer> server_;
  PgConnPtr conn_;
};

TEST_F(LibpqConnectionTest, AsksForTcpKeepalivesAndKeepsTheConnectTimeout) {
  std::map<std::string, std::string> in_use;
  PQconninfoOption* info = PQconninfo(conn_.get());
  ASSERT_NE(info, nullptr);
  for (PQconninfoOption* o = info; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) in_use[o->keyword] = o->val;
  }
  PQconninfoFree(info);
  EXPECT_EQ(in_use["keepalives"], "1");
  EXPECT_EQ(in_use["keepalives_idle"], absl::StrCat(kKeepalivesIdleSeconds));
  EXPECT_EQ(in_use["keepalives_interval"], absl::StrCat(kKeepalivesIntervalSeconds));
  EXPECT_EQ(in_use["keepalives_count"], absl::StrCat(kKeepalivesCount));
  EXPECT_EQ(in_use["connect_timeout"], "5");
}

TEST_F(LibpqConnectionTest, NoReplyInTimeIsDeadlineExceededMayHaveCommitted) {
  absl::Status s = Exec(conn_.get(), "SELECT pg_sleep(30)", "ctx", 1);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded,
                          AllOf(HasSubstr("ctx: no reply within 1 s"),
                                HasSubstr("may have committed"))));
}

TEST_F(LibpqConnectionTest, ConnectionLostAfterSendingIsUnavailable) {
  // The backend ends itself after receiving the statement: the client sees
  // the connection go away with the statement sent.
  absl::Status s =
      Exec(conn_.get(), "SELECT pg_terminate_backend(pg_backend_pid())", "ctx", 5);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("ctx")));
  EXPECT_THAT(Exec(conn_.get(), "SELECT 1", "again", 5),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("again")));
}

TEST_F(LibpqConnectionTest, ServerLockTimeoutIsAbortedNotDeadlineExceeded) {
  auto holder = server_->OpenSession();
  ASSERT_THAT(holder, IsOk());
  ASSERT_THAT(server_->Query("CREATE TABLE t (x int); ALTER TABLE t OWNER TO glitchtip_maintainer"),
              IsOk());
  ASSERT_THAT((*holder)->Exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE"), IsOk());
  absl::Status s = Exec(conn_.get(), "SET lock_timeout = '200ms'; LOCK TABLE t", "ctx", 20);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted, AllOf(HasSubstr("ctx"), HasSubstr("55P03"))));
  EXPECT_THAT(Exec(conn_.get(), "SET lock_timeout = 0; SET statement_timeout = '200ms'; "
                                "SELECT pg_sleep(30)",
                   "ctx", 20),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("57014")));
  EXPECT_THAT(Exec(conn_.get(), "SELECT 1", "ctx", 5), IsOk());  // still usable
}

TEST_F(LibpqConnectionTest, FirstFailedStatementIsReported) {
  EXPECT_THAT(Exec(conn_.get(), "SELECT 1; SELECT * FROM no_such_table; SELECT 2", "ctx", 5),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("42P01")));
  auto rows = QueryColumn(conn_.get(), "SELECT $1::text || 'x'", "a", "ctx", 5);
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ::testing::ElementsAre("ax"));
  EXPECT_THAT(Exec(conn_.get(), "SELECT 1", "ctx", 5), IsOk());
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

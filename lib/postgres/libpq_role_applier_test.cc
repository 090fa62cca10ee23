// LibpqRoleApplier against a real PostgreSQL 15 (log_statement = all):
// password changes, login probes, hostile role names, alternating users, and
// canaries in every Status and in the server log.
#include "lib/postgres/libpq_role_applier.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRole[] = "glitchtip_maintainer";
// Canaries: every password a test uses contains one of these.
constexpr char kOldCanary[] = "CANARY-old-9b1f";
constexpr char kNewCanary[] = "CANARY-new-4e7a";
constexpr char kWrongCanary[] = "CANARY-wrong-c3d2";

SecretValue Pw(absl::string_view canary, absl::string_view suffix = "") {
  return SecretValue(absl::StrCat(canary, "-Pw-", suffix));
}

class LibpqRoleApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secretsync::testing::PostgresServerOptions opts;
    opts.role_password = absl::StrCat(kOldCanary, "-Pw-");
    auto server = PostgresServer::Start(opts);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }

  ConnectionOptions Conn(absl::string_view database = "glitchtip") const {
    ConnectionOptions c;
    c.host = "127.0.0.1";
    c.port = server_->port();
    c.database = std::string(database);
    c.sslmode = "disable";
    c.connect_timeout_seconds = 5;
    return c;
  }

  LibpqRoleApplier Self(SecretValue current) const {
    return LibpqRoleApplier(Conn(), kRole, std::move(current));
  }
  LibpqRoleApplier Admin() const {
    return LibpqRoleApplier(Conn(), server_->superuser(),
                            SecretValue(server_->superuser_password()));
  }

  // No canary in the server log, whatever happened.
  void ExpectLogClean() {
    auto log = server_->ReadLog();
    ASSERT_THAT(log, IsOk());
    EXPECT_THAT(*log, HasSubstr("statement: ALTER ROLE"));  // the log does record statements
    for (const char* canary : {kOldCanary, kNewCanary, kWrongCanary}) {
      EXPECT_THAT(*log, Not(HasSubstr(canary))) << "password canary in the server log";
    }
  }

  void TearDown() override {
    for (const absl::Status& s : statuses_) {
      for (const char* canary : {kOldCanary, kNewCanary, kWrongCanary}) {
        EXPECT_THAT(std::string(s.message()), Not(HasSubstr(canary))) << s.code();
      }
    }
  }

  absl::Status Keep(absl::Status s) {
    statuses_.push_back(s);
    return s;
  }

  std::unique_ptr<PostgresServer> server_;
  std::vector<absl::Status> statuses_;
};

TEST_F(LibpqRoleApplierTest, RoleChangesItsOwnPasswordNewLogsInOldRefused) {
  LibpqRoleApplier applier = Self(Pw(kOldCanary));
  ASSERT_THAT(Keep(applier.CanLogIn(kRole, Pw(kOldCanary))), IsOk());
  ASSERT_THAT(Keep(applier.SetPassword(kRole, Pw(kNewCanary))), IsOk());
  EXPECT_THAT(Keep(applier.CanLogIn(kRole, Pw(kNewCanary))), IsOk());
  EXPECT_THAT(Keep(applier.CanLogIn(kRole, Pw(kOldCanary))),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("127.0.0.1"), HasSubstr(absl::StrCat(server_->port())),
                             HasSubstr(kRole), HasSubstr("28P01"))));
  // Repeating the step is harmless (the journal may replay it).
  LibpqRoleApplier again = Self(Pw(kNewCanary));
  EXPECT_THAT(Keep(again.SetPassword(kRole, Pw(kNewCanary))), IsOk());
  EXPECT_THAT(Keep(again.CanLogIn(kRole, Pw(kNewCanary))), IsOk());
  auto rows = server_->Query(
      "SELECT left(rolpassword, 19) FROM pg_authid WHERE rolname = 'glitchtip_maintainer'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("SCRAM-SHA-256$4096:")));
  ExpectLogClean();
}

TEST_F(LibpqRoleApplierTest, WrongCurrentPasswordIsUnauthenticatedAndChangesNothing) {
  LibpqRoleApplier applier = Self(Pw(kWrongCanary));
  absl::Status s = Keep(applier.SetPassword(kRole, Pw(kNewCanary)));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnauthenticated,
                          AllOf(HasSubstr("127.0.0.1"), HasSubstr(kRole), HasSubstr("28P01"),
                                HasSubstr("password authentication failed"))));
  EXPECT_THAT(Keep(applier.CanLogIn(kRole, Pw(kOldCanary))), IsOk());
  EXPECT_THAT(Keep(applier.CanLogIn(kRole, Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("28P01")));
}

TEST_F(LibpqRoleApplierTest, ServerDownIsUnavailableNamingHostAndPort) {
  ASSERT_THAT(server_->Stop(), IsOk());
  LibpqRoleApplier applier = Self(Pw(kOldCanary));
  for (absl::Status s : {applier.SetPassword(kRole, Pw(kNewCanary)),
                         applier.CanLogIn(kRole, Pw(kOldCanary))}) {
    statuses_.push_back(s);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                            AllOf(HasSubstr(absl::StrCat("127.0.0.1:", server_->port())),
                                  HasSubstr(kRole), HasSubstr("refused"))));
  }
}

TEST_F(LibpqRoleApplierTest, OtherErrorsAreTold) {
  LibpqRoleApplier self = Self(Pw(kOldCanary));
  // A plain role may not change another role's password.
  EXPECT_THAT(Keep(self.SetPassword("postgres", Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("42501")));
  EXPECT_THAT(Keep(Admin().SetPassword("no_such_role", Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("42704")));
  LibpqRoleApplier no_db(Conn("no_such_db"), kRole, Pw(kOldCanary));
  EXPECT_THAT(Keep(no_db.CanLogIn(kRole, Pw(kOldCanary))),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("3D000")));
  EXPECT_THAT(Keep(self.SetPassword(std::string(64, 'r'), Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("63")));
  EXPECT_THAT(Keep(self.SetPassword(kRole, SecretValue(absl::StrCat(kNewCanary, "\xc2\xa0")))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ASCII")));
  EXPECT_THAT(Keep(self.CanLogIn(kRole, Pw(kOldCanary))), IsOk());  // unchanged
}

TEST_F(LibpqRoleApplierTest, HostileRoleNamesAreQuotedAsIdentifiers) {
  const std::vector<std::string> names = {
      "Glitch Tip\"x",
      "o'brien \"; DROP ROLE glitchtip_maintainer; --",
      "ünïcødé ✓ Ω",
      "a\\b :v $1 $$",
  };
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    std::string quoted = "\"";
    for (char c : name) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    quoted += "\"";
    ASSERT_THAT(server_->Query(absl::StrCat("CREATE ROLE ", quoted, " LOGIN")), IsOk());
    ASSERT_THAT(Keep(Admin().SetPassword(name, Pw(kOldCanary, "h"))), IsOk());
    LibpqRoleApplier self(Conn(), name, Pw(kOldCanary, "h"));
    EXPECT_THAT(Keep(self.CanLogIn(name, Pw(kOldCanary, "h"))), IsOk());
    ASSERT_THAT(Keep(self.SetPassword(name, Pw(kNewCanary, "h"))), IsOk());
    EXPECT_THAT(Keep(self.CanLogIn(name, Pw(kNewCanary, "h"))), IsOk());
    EXPECT_THAT(Keep(self.CanLogIn(name, Pw(kOldCanary, "h"))),
                StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  }
  auto rows = server_->Query("SELECT count(*) FROM pg_roles WHERE rolname = 'glitchtip_maintainer'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("1")));
  ExpectLogClean();
}

TEST_F(LibpqRoleApplierTest, AlternateRoleSharesTheFirstRolesObjects) {
  const std::string b = "glitchtip_maintainer_b";
  // The first role owns a table, as GlitchTip's migrations leave it.
  LibpqRoleApplier a = Self(Pw(kOldCanary));
  ASSERT_THAT(server_->Query("CREATE TABLE t (x int); ALTER TABLE t OWNER TO glitchtip_maintainer"),
              IsOk());
  ASSERT_THAT(Keep(Admin().EnsureAlternateRole(b, kRole, Pw(kNewCanary, "b1"))), IsOk());
  LibpqRoleApplier as_b(Conn(), b, Pw(kNewCanary, "b1"));
  EXPECT_THAT(Keep(as_b.CanLogIn(b, Pw(kNewCanary, "b1"))), IsOk());
  EXPECT_THAT(Keep(a.CanLogIn(kRole, Pw(kOldCanary))), IsOk());  // the first is untouched

  // b reads and alters a's table, and what b creates belongs to a.
  const std::string b1 = absl::StrCat(kNewCanary, "-Pw-b1");
  ASSERT_THAT(server_->QueryAs(b, b1, "INSERT INTO t VALUES (1); ALTER TABLE t ADD COLUMN y int; "
                                      "CREATE TABLE u (z int)"),
              IsOk());
  auto rows = server_->QueryAs(b, b1, "SELECT count(*), current_user, session_user FROM t");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("1", kRole, b)));
  rows = server_->Query("SELECT tableowner FROM pg_tables WHERE tablename = 'u'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre(kRole)));

  // Again with the role present: only the password changes.
  ASSERT_THAT(Keep(Admin().EnsureAlternateRole(b, kRole, Pw(kNewCanary, "b2"))), IsOk());
  EXPECT_THAT(Keep(as_b.CanLogIn(b, Pw(kNewCanary, "b2"))), IsOk());
  EXPECT_THAT(Keep(as_b.CanLogIn(b, Pw(kNewCanary, "b1"))),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  // b, switched to the shared role at login, can still change its own password.
  LibpqRoleApplier b_self(Conn(), b, Pw(kNewCanary, "b2"));
  ASSERT_THAT(Keep(b_self.SetPassword(b, Pw(kNewCanary, "b3"))), IsOk());
  EXPECT_THAT(Keep(b_self.CanLogIn(b, Pw(kNewCanary, "b3"))), IsOk());
  ExpectLogClean();
}

TEST_F(LibpqRoleApplierTest, AlternateRoleRefusesASuperuserOrMissingSource) {
  EXPECT_THAT(Keep(Admin().EnsureAlternateRole("clone", "postgres", Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("superuser")));
  EXPECT_THAT(Keep(Admin().EnsureAlternateRole("clone", "nobody", Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nobody")));
  auto rows = server_->Query("SELECT count(*) FROM pg_roles WHERE rolname = 'clone'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, ElementsAre(ElementsAre("0")));
  // A plain role cannot create roles: a clear error, nothing created.
  EXPECT_THAT(Keep(Self(Pw(kOldCanary)).EnsureAlternateRole("clone", kRole, Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("42501")));
}

// Another session's uncommitted ALTER ROLE holds the role's row: our ALTER
// ROLE waits on it and the server's lock_timeout (set from the client's
// timeout) ends it, rolled back: Aborted, not the "may have committed"
// DeadlineExceeded of a client-side timeout.
TEST_F(LibpqRoleApplierTest, RoleLockedByAnotherSessionEndsByServerLockTimeoutAsAborted) {
  auto holder = server_->OpenSession();
  ASSERT_THAT(holder, IsOk());
  ASSERT_THAT((*holder)->Exec("BEGIN; ALTER ROLE glitchtip_maintainer CONNECTION LIMIT 50"),
              IsOk());
  ConnectionOptions c = Conn();
  c.query_timeout_seconds = 2;  // lock_timeout 500 ms, statement_timeout 1 s
  LibpqRoleApplier admin(c, server_->superuser(), SecretValue(server_->superuser_password()));
  EXPECT_THAT(Keep(admin.SetPassword(kRole, Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kAborted,
                       AllOf(HasSubstr("55P03"), HasSubstr("set password of role"))));
  LibpqRoleApplier self(c, kRole, Pw(kOldCanary));
  EXPECT_THAT(Keep(self.SetPassword(kRole, Pw(kNewCanary))),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("55P03")));
  ASSERT_THAT((*holder)->Exec("ROLLBACK"), IsOk());
  EXPECT_THAT(Keep(self.CanLogIn(kRole, Pw(kOldCanary))), IsOk());  // nothing committed
  auto log = server_->ReadLog();
  ASSERT_THAT(log, IsOk());
  EXPECT_THAT(*log, AllOf(HasSubstr("statement: SET lock_timeout = '500ms';"),
                          HasSubstr("SET statement_timeout = '1000ms';")));
  ExpectLogClean();
}

// Under a pg_hba.conf `trust` line every password logs in: such a login is
// no proof that a password is in force, so the probe refuses it.
TEST(LibpqRoleApplierTrustTest, ProbeRefusesALoginTheServerDidNotCheck) {
  secretsync::testing::PostgresServerOptions opts;
  opts.role_password = absl::StrCat(kOldCanary, "-Pw-");
  opts.trust_roles = {kRole};
  auto server = PostgresServer::Start(opts);
  ASSERT_THAT(server, IsOk());
  ConnectionOptions c;
  c.port = (*server)->port();
  c.database = "glitchtip";
  c.sslmode = "disable";
  LibpqRoleApplier probe(c, kRole, SecretValue());
  for (const SecretValue& pw : {Pw(kOldCanary), Pw(kWrongCanary)}) {
    absl::Status s = probe.CanLogIn(kRole, pw);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                            AllOf(HasSubstr("without checking the password (pg_hba trust?)"),
                                  HasSubstr(kRole))));
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
  }
  // A role without the trust line is still checked as before.
  EXPECT_THAT(probe.CanLogIn("postgres", SecretValue((*server)->superuser_password())), IsOk());
}

// A TCP socket bound to 127.0.0.1 on a free port (-1 on failure), and the port.
int BoundLoopbackSocket(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// Nothing listens on the port: Unavailable (exit 75), for the probe and Apply.
TEST(LibpqRoleApplierNoServerTest, NothingListeningIsUnavailable) {
  ConnectionOptions c;
  int fd = BoundLoopbackSocket(&c.port);
  ASSERT_GE(fd, 0);
  close(fd);  // bound, never listened: the port refuses connections now
  c.sslmode = "disable";
  LibpqRoleApplier applier(c, kRole, Pw(kOldCanary));
  for (const absl::Status& s :
       {applier.CanLogIn(kRole, Pw(kOldCanary)), applier.SetPassword(kRole, Pw(kNewCanary)),
        applier.EnsureAlternateRole("b", kRole, Pw(kNewCanary))}) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                            AllOf(HasSubstr(absl::StrCat("127.0.0.1:", c.port)),
                                  HasSubstr("refused"))));
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
  }
}

// A peer that completes the TCP handshake (the kernel's backlog) but never
// answers: the connection attempt must end at connect_timeout_seconds.
TEST(LibpqRoleApplierNoServerTest, SilentServerIsDeadlineExceeded) {
  ConnectionOptions c;
  int fd = BoundLoopbackSocket(&c.port);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(listen(fd, 4), 0);
  c.sslmode = "disable";
  c.connect_timeout_seconds = 1;
  LibpqRoleApplier applier(c, kRole, Pw(kOldCanary));
  const auto start = std::chrono::steady_clock::now();
  absl::Status s = applier.CanLogIn(kRole, Pw(kOldCanary));
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDeadlineExceeded,
                          AllOf(HasSubstr(absl::StrCat("127.0.0.1:", c.port)), HasSubstr("1 s"))));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr(kOldCanary)));
}

TEST(LibpqRoleApplierNoServerTest, BadConnectionOptionsAreInvalidArgument) {
  ConnectionOptions c;
  c.sslmode = "sometimes";
  LibpqRoleApplier bad_ssl(c, kRole, Pw(kOldCanary));
  EXPECT_THAT(bad_ssl.CanLogIn(kRole, Pw(kOldCanary)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sslmode")));
  c = ConnectionOptions();
  c.port = 0;
  LibpqRoleApplier bad_port(c, kRole, Pw(kOldCanary));
  EXPECT_THAT(bad_port.SetPassword(kRole, Pw(kNewCanary)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("port")));
  c = ConnectionOptions();
  c.connect_timeout_seconds = 0;
  LibpqRoleApplier bad_timeout(c, kRole, Pw(kOldCanary));
  EXPECT_THAT(bad_timeout.CanLogIn(kRole, Pw(kOldCanary)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("connect_timeout")));
  c = ConnectionOptions();
  c.query_timeout_seconds = 0;
  LibpqRoleApplier bad_query_timeout(c, kRole, Pw(kOldCanary));
  EXPECT_THAT(bad_query_timeout.SetPassword(kRole, Pw(kNewCanary)),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

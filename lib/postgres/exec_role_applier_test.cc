// ExecRoleApplier with a real psql reading its stdin against a real
// PostgreSQL 15 (the stand-in for `docker compose exec -T postgres psql`),
// plus exit-code mapping with a fake runner.
#include "lib/postgres/exec_role_applier.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/command_runner.h"
#include "lib/base/random_source.h"
#include "lib/postgres/libpq_role_applier.h"
#include "lib/testing/fake_command_runner.h"
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
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kRole[] = "glitchtip_maintainer";
constexpr char kOldCanary[] = "CANARY-exec-old-51ab";
constexpr char kNewCanary[] = "CANARY-exec-new-0c9e";

// Runs commands for real and records what they were given.
class RecordingRunner : public CommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override {
    argvs.push_back(absl::StrJoin(argv, " "));
    return real.Run(argv, env, timeout);
  }
  absl::StatusOr<CommandResult> RunWithStdin(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             absl::Duration timeout,
                                             absl::string_view stdin_data,
                                             std::string* stdout_data) override {
    argvs.push_back(absl::StrJoin(argv, " "));
    stdins.emplace_back(stdin_data);
    return real.RunWithStdin(argv, env, timeout, stdin_data, stdout_data);
  }
  RealCommandRunner real;
  std::vector<std::string> argvs, stdins;
};

class ExecRoleApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secretsync::testing::PostgresServerOptions opts;
    opts.role_password = absl::StrCat(kOldCanary, "-Pw");
    auto server = PostgresServer::Start(opts);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }

  // psql over the server's Unix socket, where `local` is `trust` as in the
  // postgres image: the login needs no password, as with compose exec.
  std::vector<std::string> Psql(absl::string_view user) const {
    return {PostgresServer::PsqlPath(), "-X", "-q", "-h", server_->socket_dir(), "-p",
            absl::StrCat(server_->port()), "-U", std::string(user), "-d", "glitchtip",
            "-v", "ON_ERROR_STOP=1"};
  }

  LibpqRoleApplier Checker() const {
    ConnectionOptions c;
    c.port = server_->port();
    c.database = "glitchtip";
    c.sslmode = "disable";
    c.connect_timeout_seconds = 5;
    return LibpqRoleApplier(c, server_->superuser(), SecretValue(server_->superuser_password()));
  }

  void ExpectNoCanaryAnywhere(const std::vector<absl::Status>& statuses) {
    auto log = server_->ReadLog();
    ASSERT_THAT(log, IsOk());
    EXPECT_THAT(*log, HasSubstr("statement: ALTER ROLE"));
    for (const char* canary : {kOldCanary, kNewCanary}) {
      EXPECT_THAT(*log, Not(HasSubstr(canary)));
      for (const std::string& a : runner_.argvs) EXPECT_THAT(a, Not(HasSubstr(canary)));
      for (const std::string& in : runner_.stdins) EXPECT_THAT(in, Not(HasSubstr(canary)));
      for (const absl::Status& s : statuses) {
        EXPECT_THAT(std::string(s.message()), Not(HasSubstr(canary)));
      }
    }
  }

  std::unique_ptr<PostgresServer> server_;
  RecordingRunner runner_;
  OsRandomSource random_;
};

TEST_F(ExecRoleApplierTest, PsqlOnStdinSetsPasswordNewLogsInOldRefused) {
  ExecRoleApplier applier(runner_, random_, Psql(kRole));
  const SecretValue old_pw(absl::StrCat(kOldCanary, "-Pw"));
  const SecretValue new_pw(absl::StrCat(kNewCanary, "-Pw"));
  std::vector<absl::Status> statuses;
  statuses.push_back(applier.SetPassword(kRole, new_pw));
  ASSERT_THAT(statuses.back(), IsOk());
  LibpqRoleApplier checker = Checker();
  statuses.push_back(checker.CanLogIn(kRole, new_pw));
  EXPECT_THAT(statuses.back(), IsOk());
  statuses.push_back(checker.CanLogIn(kRole, old_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("28P01")));
  ASSERT_EQ(runner_.stdins.size(), 1u);
  EXPECT_THAT(runner_.stdins[0], HasSubstr("PASSWORD 'SCRAM-SHA-256$4096:"));
  ExpectNoCanaryAnywhere(statuses);
}

TEST_F(ExecRoleApplierTest, LoginProbeChecksTheStoredVerifierWithoutSendingThePassword) {
  ExecRoleApplier admin(runner_, random_, Psql("postgres"));
  const SecretValue old_pw(absl::StrCat(kOldCanary, "-Pw"));
  const SecretValue new_pw(absl::StrCat(kNewCanary, "-Pw"));
  std::vector<absl::Status> statuses;
  statuses.push_back(admin.CanLogIn(kRole, old_pw));
  EXPECT_THAT(statuses.back(), IsOk());
  statuses.push_back(admin.CanLogIn(kRole, new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(kRole)));
  statuses.push_back(admin.SetPassword(kRole, new_pw));
  ASSERT_THAT(statuses.back(), IsOk());
  statuses.push_back(admin.CanLogIn(kRole, new_pw));
  EXPECT_THAT(statuses.back(), IsOk());
  statuses.push_back(admin.CanLogIn(kRole, old_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  statuses.push_back(admin.CanLogIn("nobody_here", new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("nobody_here")));
  ASSERT_THAT(server_->Query("CREATE ROLE nologin_role NOLOGIN"), IsOk());
  statuses.push_back(admin.CanLogIn("nologin_role", new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("NOLOGIN")));
  ASSERT_THAT(server_->Query("CREATE ROLE md5_role LOGIN; SET password_encryption = 'md5'; "
                             "ALTER ROLE md5_role PASSWORD 'x'"),
              IsOk());
  statuses.push_back(admin.CanLogIn("md5_role", new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("SCRAM")));
  // A plain role cannot read pg_authid: a clear error, not a wrong answer.
  ExecRoleApplier self(runner_, random_, Psql(kRole));
  statuses.push_back(self.CanLogIn(kRole, new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("42501")));
  ExpectNoCanaryAnywhere(statuses);
}

TEST_F(ExecRoleApplierTest, HostileRoleNamesThroughPsql) {
  ExecRoleApplier admin(runner_, random_, Psql("postgres"));
  LibpqRoleApplier checker = Checker();
  std::vector<absl::Status> statuses;
  for (const std::string& name :
       {std::string("Glitch Tip\"x"), std::string("o'brien\"; DROP ROLE glitchtip_maintainer;--"),
        std::string("ünïcødé ✓"), std::string("a\\b :v :'v' \\gexec")}) {
    SCOPED_TRACE(name);
    std::string quoted = "\"";
    for (char c : name) quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    ASSERT_THAT(server_->Query(absl::StrCat("CREATE ROLE ", quoted, "\" LOGIN")), IsOk());
    const SecretValue pw(absl::StrCat(kNewCanary, "-h"));
    statuses.push_back(admin.SetPassword(name, pw));
    ASSERT_THAT(statuses.back(), IsOk());
    statuses.push_back(checker.CanLogIn(name, pw));
    EXPECT_THAT(statuses.back(), IsOk());
    statuses.push_back(admin.CanLogIn(name, pw));  // the exec probe quotes it too
    EXPECT_THAT(statuses.back(), IsOk());
  }
  auto rows = server_->Query("SELECT count(*) FROM pg_roles WHERE rolname = 'glitchtip_maintainer'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_EQ((*rows)[0][0], "1");
  ExpectNoCanaryAnywhere(statuses);
}

TEST_F(ExecRoleApplierTest, AlternateRoleThroughPsql) {
  ExecRoleApplier admin(runner_, random_, Psql("postgres"));
  LibpqRoleApplier checker = Checker();
  const std::string b = "glitchtip_maintainer_b";
  const SecretValue b1(absl::StrCat(kNewCanary, "-b1"));
  const SecretValue b2(absl::StrCat(kNewCanary, "-b2"));
  std::vector<absl::Status> statuses;
  statuses.push_back(admin.EnsureAlternateRole(b, kRole, b1));
  ASSERT_THAT(statuses.back(), IsOk());
  statuses.push_back(checker.CanLogIn(b, b1));
  EXPECT_THAT(statuses.back(), IsOk());
  auto rows = server_->Query(
      "SELECT pg_has_role('glitchtip_maintainer_b', 'glitchtip_maintainer', 'MEMBER')");
  ASSERT_THAT(rows, IsOk());
  EXPECT_EQ((*rows)[0][0], "t");
  statuses.push_back(admin.EnsureAlternateRole(b, kRole, b2));  // exists: password only
  ASSERT_THAT(statuses.back(), IsOk());
  statuses.push_back(checker.CanLogIn(b, b2));
  EXPECT_THAT(statuses.back(), IsOk());
  statuses.push_back(checker.CanLogIn(b, b1));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  // The superuser as a source: the script raises 55000 and quits, nothing made.
  statuses.push_back(admin.EnsureAlternateRole("clone", "postgres", b1));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("55000")));
  statuses.push_back(admin.EnsureAlternateRole("clone", "nobody", b1));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("42704")));
  rows = server_->Query("SELECT count(*) FROM pg_roles WHERE rolname = 'clone'");
  ASSERT_THAT(rows, IsOk());
  EXPECT_EQ((*rows)[0][0], "0");
  ExpectNoCanaryAnywhere(statuses);
}

TEST_F(ExecRoleApplierTest, FailuresMapToCodes) {
  ExecRoleApplier self(runner_, random_, Psql(kRole));
  const SecretValue pw(absl::StrCat(kNewCanary, "-f"));
  std::vector<absl::Status> statuses;
  statuses.push_back(self.SetPassword("no_such_role", pw));
  EXPECT_THAT(statuses.back(),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("set password of role no_such_role"), HasSubstr("42704"))));
  // A plain role may not change another role's password: as over libpq.
  statuses.push_back(self.SetPassword("postgres", pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("42501")));
  ASSERT_THAT(server_->Stop(), IsOk());
  statuses.push_back(self.SetPassword(kRole, pw));
  EXPECT_THAT(statuses.back(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("could not connect")));
  ExecRoleApplier missing(runner_, random_, {"/nonexistent/psql"});
  statuses.push_back(missing.SetPassword(kRole, pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kInternal, HasSubstr("/nonexistent/psql")));
  for (const absl::Status& s : statuses) {
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr(kNewCanary)));
  }
}

// Another session's uncommitted ALTER ROLE holds the role's row. The script
// sets the server's lock_timeout below the command's timeout, so the server
// ends the wait (55P03, rolled back: Aborted, as over libpq) before the
// command is killed (DeadlineExceeded: may have committed).
TEST_F(ExecRoleApplierTest, RoleLockedByAnotherSessionEndsByServerLockTimeout) {
  auto holder = server_->OpenSession();
  ASSERT_THAT(holder, IsOk());
  ASSERT_THAT((*holder)->Exec("BEGIN; ALTER ROLE glitchtip_maintainer CONNECTION LIMIT 50"),
              IsOk());
  ExecRoleApplier admin(runner_, random_, Psql("postgres"), absl::Seconds(4));
  const SecretValue new_pw(absl::StrCat(kNewCanary, "-Pw"));
  std::vector<absl::Status> statuses;
  statuses.push_back(admin.SetPassword(kRole, new_pw));
  EXPECT_THAT(statuses.back(), StatusIs(absl::StatusCode::kAborted, HasSubstr("55P03")));
  ASSERT_THAT((*holder)->Exec("ROLLBACK"), IsOk());
  statuses.push_back(admin.CanLogIn(kRole, SecretValue(absl::StrCat(kOldCanary, "-Pw"))));
  EXPECT_THAT(statuses.back(), IsOk());  // nothing committed
  ASSERT_EQ(runner_.stdins.size(), 2u);
  const std::string limits = "SET lock_timeout = '1000ms';\n";
  EXPECT_THAT(runner_.stdins[0], HasSubstr(limits));
  EXPECT_LT(runner_.stdins[0].find(limits), runner_.stdins[0].find("ALTER ROLE"));
  EXPECT_THAT(runner_.stdins[1], HasSubstr(limits));
  auto log = server_->ReadLog();
  ASSERT_THAT(log, IsOk());
  EXPECT_THAT(*log, HasSubstr("canceling statement due to lock timeout"));
  ExpectNoCanaryAnywhere(statuses);
}

// `docker compose exec` with the container stopped prints docker's message
// and exits 1 before psql runs: Unavailable (exit 75), as psql's own
// "could not connect" (exit 2) is.
TEST(ExecRoleApplierContainerTest, ContainerDownIsUnavailable) {
  RealCommandRunner runner;
  OsRandomSource random;
  const SecretValue pw(std::string("CANARY-container-down-pw"));
  for (const char* docker_says :
       {"service \"postgres\" is not running", "Error response from daemon: No such container: pg",
        "Error response from daemon: Container 4f2a is not running"}) {
    SCOPED_TRACE(docker_says);
    ExecRoleApplier applier(runner, random,
                            {"/bin/sh", "-c", absl::StrCat("/bin/cat >/dev/null; echo '", docker_says,
                                                           "' >&2; exit 1")});
    for (const absl::Status& s : {applier.SetPassword(kRole, pw), applier.CanLogIn(kRole, pw),
                                  applier.EnsureAlternateRole("b", kRole, pw)}) {
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("exited with 1")));
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
    }
  }
}

TEST(ExecRoleApplierFakeTest, TimeoutTooShortForTheServerLimitsIsRefused) {
  FakeCommandRunner fake;
  OsRandomSource random;
  ExecRoleApplier applier(fake, random, {"psql"}, absl::Milliseconds(500));
  EXPECT_THAT(applier.SetPassword(kRole, SecretValue(std::string("CANARY-short"))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least 1s")));
  EXPECT_TRUE(fake.calls.empty());
}

TEST(ExecRoleApplierFakeTest, ExitCodesAndRefusals) {
  FakeCommandRunner fake;
  OsRandomSource random;
  ExecRoleApplier applier(fake, random, {"docker", "compose", "exec", "-T", "postgres", "psql"});
  const SecretValue pw(std::string("CANARY-fake-77-pw"));
  struct Case {
    CommandResult result;
    absl::StatusCode code;
  } cases[] = {
      {{0, 0, false}, absl::StatusCode::kOk},
      {{2, 0, false}, absl::StatusCode::kUnavailable},
      {{3, 0, false}, absl::StatusCode::kFailedPrecondition},
      {{127, 0, false}, absl::StatusCode::kFailedPrecondition},
      {{1, 0, false}, absl::StatusCode::kUnavailable},  // docker: container not running
      {{4, 0, false}, absl::StatusCode::kInternal},
      {{137, 9, false}, absl::StatusCode::kInternal},
      {{143, 15, true}, absl::StatusCode::kDeadlineExceeded},
  };
  for (const Case& c : cases) {
    fake.result = c.result;
    absl::Status s = applier.SetPassword(kRole, pw);
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
  }
  ASSERT_FALSE(fake.calls.empty());
  EXPECT_THAT(fake.calls[0].stdin_data, StartsWith("\\set ON_ERROR_STOP off\n"));
  EXPECT_THAT(fake.calls[0].stdin_data, HasSubstr("SET statement_timeout = '30000ms';\n"));
  EXPECT_THAT(fake.calls[0].stdin_data, Not(HasSubstr("CANARY")));
  EXPECT_EQ(absl::StrJoin(fake.calls[0].argv, " "), "docker compose exec -T postgres psql");
  // A failed statement: the script prints its SQLSTATE and quits with 0.
  fake.result = CommandResult{};
  fake.stdout_reply = "secretsync-sqlstate 55P03\n";
  EXPECT_THAT(applier.SetPassword(kRole, pw),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("SQLSTATE 55P03")));
  fake.stdout_reply = "secretsync-sqlstate :SQLSTATE\n";  // psql before 12
  EXPECT_THAT(applier.SetPassword(kRole, pw),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("psql 12")));
  // The probe parses psql's output; odd output is an error, not a match.
  fake.result = CommandResult{};
  fake.stdout_reply = "secretsync-role:maybe:false:SCRAM";
  EXPECT_THAT(applier.CanLogIn(kRole, pw),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("psql output")));
  fake.stdout_reply = "";
  EXPECT_THAT(applier.CanLogIn(kRole, pw), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  const size_t before = fake.calls.size();
  EXPECT_THAT(applier.SetPassword(kRole, SecretValue(std::string("CANARY-\xc2\xad"))),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("CANARY"))));
  EXPECT_THAT(applier.SetPassword(std::string(64, 'x'), pw),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("63")));
  EXPECT_EQ(fake.calls.size(), before);  // nothing was run
  ExecRoleApplier empty(fake, random, {});
  EXPECT_THAT(empty.SetPassword(kRole, pw),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ExecRoleApplierFakeTest, PassesExactlyTheGivenEnvironment) {
  FakeCommandRunner fake;
  OsRandomSource random;
  ExecRoleApplier applier(fake, random, {"docker", "compose", "exec", "-T", "postgres", "psql"},
                          absl::Seconds(5),
                          {{"PATH", "/usr/bin:/bin"}, {"DOCKER_HOST", "unix:///run/d.sock"}});
  ASSERT_TRUE(applier.SetPassword(kRole, SecretValue(std::string("CANARY-env-1"))).ok());
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0].env, (std::map<std::string, std::string>{
                                   {"DOCKER_HOST", "unix:///run/d.sock"}, {"PATH", "/usr/bin:/bin"}}));
  EXPECT_EQ(fake.calls[0].timeout, absl::Seconds(5));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

// rotate's command layer against an in-memory store and real files: option
// and config refusals, generated and externally issued secrets, dry run, and
// canaries. (PostgreSQL passwords end to end: tests/e2e/rotate_e2e_test.sh.)
#include "lib/rotate/rotate_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/rotate/postgres_target.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_command_runner.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/fake_secret_store.h"

namespace secretsync {
namespace rotate {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecretKey[] = "canary-secret-key-rc-8c1f";
constexpr char kEmailUrl[] = "smtp://apikey:canary-mail-rc-3b7d@smtp.example.com:587";
constexpr char kNewEmailUrl[] = "smtps://apikey:canary-mail-rc-new-9@smtp.example.com:465";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  int code;
  std::string out, err, log;
  std::string all() const { return out + err + log; }
};

class RotateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    std::ofstream(dir_ + "/.env.template") << "SECRET_KEY=${SECRET_KEY}\nEMAIL_URL=${EMAIL_URL}\n";
    WriteConfig("");
    store_.Put("SECRET_KEY", kSecretKey);
    store_.Put("EMAIL_URL", kEmailUrl);
  }
  void WriteConfig(const std::string& extra) {
    std::ofstream(dir_ + "/config.textproto") << absl::StrCat(R"pb(
      infisical { site_url: "http://127.0.0.1:1" }
      project_slug: "glitchtip"
      environment: "prod"
      template_path: ".env.template"
      output_path: ".env"
      on_change { command: ["deploy"] }
      secrets { name: "SECRET_KEY" generator { kind: HEX } rotation { restart_services: ["web"] } }
      secrets { name: "EMAIL_URL" validator { kind: SMTP_URL }
                rotation { restart_services: ["worker"] } }
    )pb", extra);
  }

  Outcome Rotate(RotateOptions o, const std::string& stdin_text = "") {
    if (o.config_path.empty()) o.config_path = dir_ + "/config.textproto";
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    CapturingLogSink log;
    System sys{clock_, fs_, random_, env_, commands_, log, users_, store_.Factory()};
    int code = RunRotate(o, sys, in, out, err);
    Outcome r{code, out.str(), err.str(), log.Joined()};
    for (const char* canary : {"canary-secret-key-rc", "canary-mail-rc", "canary%2D"}) {
      EXPECT_THAT(r.all(), Not(HasSubstr(canary)));
    }
    return r;
  }
  // Writes the first .env (every name "added"), so later runs change one.
  void FirstSync() {
    ASSERT_EQ(Rotate(Secret("SECRET_KEY")).code, kExitOk);
    commands_.calls.clear();
  }
  static RotateOptions Secret(const std::string& name) {
    RotateOptions o;
    o.secret = name;
    return o;
  }

  std::string dir_;
  FakeClock clock_;
  RealFilesystem real_fs_;
  FakeFilesystem fs_{real_fs_};
  OsRandomSource random_;
  MapEnvironment env_;
  FakeCommandRunner commands_;
  FakeSecretStore store_;
  MapUserDirectory users_;
};

TEST_F(RotateCommandTest, BadOptionsAreUsageErrors) {
  EXPECT_EQ(Rotate(RotateOptions{}).code, kExitUsage);  // no mode
  RotateOptions two = Secret("SECRET_KEY");
  two.all = true;
  EXPECT_THAT(Rotate(two).err, HasSubstr("exactly one of"));
  RotateOptions value_alone;
  value_alone.all = true;
  value_alone.value_file = "-";
  EXPECT_EQ(Rotate(value_alone).code, kExitUsage);
  Outcome unknown = Rotate(Secret("NOPE"));
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, HasSubstr("secret NOPE is not in the config"));
  Outcome external = Rotate(Secret("EMAIL_URL"));
  EXPECT_EQ(external.code, kExitUsage);
  EXPECT_THAT(external.err, HasSubstr("--value-file"));
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
  EXPECT_TRUE(commands_.calls.empty());
}

TEST_F(RotateCommandTest, GeneratedSecretIsStoredSyncedAndRestartsItsServices) {
  FirstSync();
  const std::string before = store_.ValueOf("SECRET_KEY");
  Outcome r = Rotate(Secret("SECRET_KEY"));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const std::string fresh = store_.ValueOf("SECRET_KEY");
  EXPECT_NE(fresh, before);
  EXPECT_EQ(fresh.size(), 64u);  // HEX, 32 bytes
  EXPECT_THAT(ReadAll(dir_ + "/.env"), HasSubstr(fresh));
  EXPECT_THAT(r.all(), Not(HasSubstr(fresh)));
  ASSERT_EQ(commands_.calls.size(), 1u);
  EXPECT_EQ(commands_.calls[0].env["SECRETSYNC_SERVICES"], "web");
  EXPECT_THAT(r.out, HasSubstr("SECRET_KEY (generated): rotated"));
}

TEST_F(RotateCommandTest, ExternalValueFromStdinIsValidatedThenStored) {
  FirstSync();
  Outcome bad = Rotate([] {
    RotateOptions o = Secret("EMAIL_URL");
    o.value_file = "-";
    return o;
  }(), "http://canary-mail-rc-bad\n");
  EXPECT_EQ(bad.code, kExitDataErr);
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kEmailUrl);
  EXPECT_TRUE(commands_.calls.empty());

  RotateOptions o = Secret("EMAIL_URL");
  o.value_file = "-";
  Outcome r = Rotate(o, absl::StrCat(kNewEmailUrl, "\n"));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kNewEmailUrl);
  EXPECT_THAT(ReadAll(dir_ + "/.env"), HasSubstr(kNewEmailUrl));
  ASSERT_EQ(commands_.calls.size(), 1u);
  EXPECT_EQ(commands_.calls[0].env["SECRETSYNC_SERVICES"], "worker");
}

TEST_F(RotateCommandTest, ValueFileReadableByOthersIsRefused) {
  const std::string path = dir_ + "/new-email-url";
  std::ofstream(path) << kNewEmailUrl;
  chmod(path.c_str(), 0644);
  RotateOptions o = Secret("EMAIL_URL");
  o.value_file = path;
  Outcome r = Rotate(o);
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_THAT(r.err, HasSubstr("chmod 600"));
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kEmailUrl);
  chmod(path.c_str(), 0600);
  ASSERT_EQ(Rotate(o).code, kExitOk);
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kNewEmailUrl);
}

TEST_F(RotateCommandTest, DryRunChangesNothing) {
  RotateOptions o;
  o.all = true;
  o.dry_run = true;
  Outcome r = Rotate(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("SECRET_KEY (generated): would_rotate"));
  EXPECT_THAT(r.out, HasSubstr("EMAIL_URL (external): skipped"));
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
  struct stat st;
  EXPECT_NE(stat((dir_ + "/.env").c_str(), &st), 0);
  EXPECT_TRUE(commands_.calls.empty());
}

TEST_F(RotateCommandTest, AllRotatesGeneratedSecretsWithOneSync) {
  RotateOptions o;
  o.all = true;
  o.json = true;
  Outcome r = Rotate(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(store_.ValueOf("SECRET_KEY"), kSecretKey);
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kEmailUrl);
  EXPECT_EQ(commands_.calls.size(), 1u);
  EXPECT_THAT(r.out, HasSubstr("\"outcome\":\"skipped\""));
  EXPECT_THAT(r.out, HasSubstr("\"synced\":true"));
}

TEST_F(RotateCommandTest, PostgresSecretNeedsAPostgresSection) {
  WriteConfig(R"pb(secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 }
                             rotation { postgres_role: "glitchtip_maintainer" } })pb");
  Outcome r = Rotate(Secret("POSTGRES_PASSWORD"));
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_THAT(r.err, HasSubstr("postgres"));
  RotateOptions with_value = Secret("POSTGRES_PASSWORD");
  with_value.value_file = "-";
  EXPECT_EQ(Rotate(with_value).code, kExitUsage);
}

TEST_F(RotateCommandTest, AlternatingUsersNeedsAUserSecret) {
  WriteConfig("rotation { strategy: ALTERNATING_USERS }");
  Outcome r = Rotate(Secret("SECRET_KEY"));
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_THAT(r.err, HasSubstr("rotation.user_secret"));
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
}

TEST_F(RotateCommandTest, AlternatingUsersNeedsAnAdminLogin) {
  std::ofstream(dir_ + "/.env.template") << "SECRET_KEY=${SECRET_KEY}\nEMAIL_URL=${EMAIL_URL}\n"
                                         << "PGUSER=${POSTGRES_USER}\n";
  WriteConfig(R"pb(rotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }
                   postgres { host: "127.0.0.1" port: 5432 }
                   secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 }
                             rotation { postgres_role: "glitchtip_maintainer" } })pb");
  Outcome r = Rotate(Secret("POSTGRES_PASSWORD"));
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_THAT(r.err, HasSubstr("postgres.admin"));
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
}

// The user secret switches the role: a template that does not render it
// (e.g. a DATABASE_URL with the role written out) would pair the old role
// with the new role's password.
TEST_F(RotateCommandTest, AlternatingUsersRefusesATemplateWithoutTheUserSecret) {
  WriteConfig(R"pb(rotation { strategy: ALTERNATING_USERS user_secret: "POSTGRES_USER" }
                   postgres { host: "127.0.0.1" port: 5432 admin { user: "postgres" } }
                   secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 }
                             rotation { postgres_role: "glitchtip_maintainer" } })pb");
  for (const char* secret : {"POSTGRES_PASSWORD", "SECRET_KEY"}) {
    Outcome r = Rotate(Secret(secret));
    EXPECT_EQ(r.code, kExitConfig);
    EXPECT_THAT(r.err, HasSubstr("does not use ${POSTGRES_USER}"));
    EXPECT_THAT(r.err, HasSubstr(dir_ + "/.env.template"));
  }
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
}

TEST_F(RotateCommandTest, GeneratedSecretRefusesAValueFile) {
  RotateOptions o = Secret("SECRET_KEY");
  o.value_file = "-";
  Outcome r = Rotate(o, "canary-secret-key-rc-given\n");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("SECRET_KEY is generated by its spec"));
  EXPECT_THAT(r.err, HasSubstr("no --value-file"));
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
}

TEST_F(RotateCommandTest, ValueFileOwnedByAnotherUserIsRefused) {
  const std::string path = dir_ + "/new-email-url";
  std::ofstream(path) << kNewEmailUrl;
  chmod(path.c_str(), 0600);
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0);  // the test runs as root
  RotateOptions o = Secret("EMAIL_URL");
  o.value_file = path;
  Outcome r = Rotate(o);
  EXPECT_EQ(r.code, kExitConfig);
  EXPECT_THAT(r.err, HasSubstr("not to the running user"));
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kEmailUrl);
  ASSERT_EQ(chown(path.c_str(), geteuid(), getegid()), 0);
  ASSERT_EQ(Rotate(o).code, kExitOk);
  EXPECT_EQ(store_.ValueOf("EMAIL_URL"), kNewEmailUrl);
}

TEST_F(RotateCommandTest, DryRunNeverWritesTheTokenCache) {
  RotateOptions o;
  o.all = true;
  o.dry_run = true;
  ASSERT_EQ(Rotate(o).code, kExitOk);
  EXPECT_TRUE(store_.last_config.auth().token_cache_read_only());
  o.dry_run = false;
  ASSERT_EQ(Rotate(o).code, kExitOk);
  EXPECT_FALSE(store_.last_config.auth().token_cache_read_only());
}

TEST_F(RotateCommandTest, JsonReportNamesTheFailedSecretAndSyncedFollowsTheSync) {
  RotateOptions o = Secret("SECRET_KEY");
  o.json = true;
  fs_.FailOp("create_temp", absl::PermissionDeniedError("fake: folder not writable"));
  Outcome unsynced = Rotate(o);  // stored, but the .env cannot be written
  fs_.ClearFailures();
  EXPECT_EQ(unsynced.code, kExitCantCreate) << unsynced.err;
  EXPECT_THAT(unsynced.out, HasSubstr(R"("outcome":"rotated")"));
  EXPECT_THAT(unsynced.out, HasSubstr(R"("synced":false)"));

  store_.fail_next.assign(4, absl::PermissionDeniedError("fake: write refused"));
  Outcome failed = Rotate(o);
  store_.fail_next.clear();
  EXPECT_EQ(failed.code, kExitNoPerm) << failed.err;
  EXPECT_THAT(failed.out, HasSubstr(R"("name":"SECRET_KEY","kind":"generated","outcome":"failed")"));
  EXPECT_THAT(failed.out, HasSubstr(R"("synced":false)"));

  Outcome ok = Rotate(o);
  EXPECT_EQ(ok.code, kExitOk) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr(R"("synced":true)"));
}

TEST_F(RotateCommandTest, InfisicalDownChangesNothing) {
  store_.fail_next = {absl::UnavailableError("infisical down"),
                      absl::UnavailableError("infisical down")};
  Outcome r = Rotate(Secret("SECRET_KEY"));
  EXPECT_EQ(r.code, kExitTempFail);
  store_.fail_next.clear();
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), kSecretKey);
  EXPECT_TRUE(commands_.calls.empty());
}

TEST(ExecEnvironmentTest, PassesOnlyWhatDockerAndPsqlNeed) {
  MapEnvironment env({{"PATH", "/usr/bin"},
                      {"HOME", "/root"},
                      {"DOCKER_HOST", "unix:///d.sock"},
                      {"COMPOSE_PROJECT_NAME", "gt"},
                      {"PGSSLMODE", "require"},
                      {"PGPASSWORD", "canary-pg"},
                      {"INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", "canary-secret"},
                      {"LC_ALL", "C"}});
  std::map<std::string, std::string> got = ExecEnvironment(env);
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"COMPOSE_PROJECT_NAME", "gt"},
                                                     {"DOCKER_HOST", "unix:///d.sock"},
                                                     {"HOME", "/root"},
                                                     {"LC_ALL", "C"},
                                                     {"PATH", "/usr/bin"},
                                                     {"PGSSLMODE", "require"}}));
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

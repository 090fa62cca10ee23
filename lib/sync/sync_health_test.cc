// sync's health gate against an in-memory store, real files and a scripted
// command runner (on-change "deploy", health check "check-app"): healthy,
// rolled back byte for byte, held back, --force, a new change clearing the
// record, ROLLBACK_NEVER, first write, a failing command after the rollback,
// dry run; canaries never in any output.
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/sync/sync_command.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_command_runner.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/fake_secret_store.h"

namespace secretsync {
namespace sync {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGoodKey[] = "canary-good-key-5e0d1c";
constexpr char kBadKey[] = "canary-bad-key-77ab";
constexpr char kOtherKey[] = "canary-other-key-31f9";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return in.good() || !s.str().empty() ? s.str() : "<none>";
}

void WriteAll(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// "check-app" answers healthy unless the .env holds kBadKey (like the model
// app, which reads the file at start); "deploy" (on-change) exits with
// `deploy_exit`. Every call is counted.
class ScriptedRunner : public FakeCommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override {
    calls.push_back(Call{argv, env, timeout, ""});
    ++deploys;
    live_env = ReadAll(env_path);  // the app restarts on the file as it is now
    CommandResult r;
    if (!deploy_exits.empty()) {
      r.exit_code = deploy_exits.front();
      deploy_exits.pop_front();
    }
    return r;
  }
  absl::StatusOr<CommandResult> RunWithStdin(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             absl::Duration timeout, absl::string_view,
                                             std::string* stdout_data) override {
    calls.push_back(Call{argv, env, timeout, ""});
    ++checks;
    if (stdout_data != nullptr) *stdout_data = kBadKey;  // output must never be shown
    CommandResult r;
    r.exit_code = live_env.find(kBadKey) != std::string::npos ? 3 : 0;
    return r;
  }
  std::string env_path;
  std::string live_env;
  std::deque<int> deploy_exits;
  int deploys = 0;
  int checks = 0;
};

struct Outcome {
  int code;
  std::string out, err, log;
};

class SyncHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    mkdir(dir_.c_str(), 0700);
    WriteAll(dir_ + "/.env.template", "SECRET_KEY=${SECRET_KEY}\nPORT=8000\n");
    SetConfig("");
    commands_.env_path = env_path();
    store_.Put("SECRET_KEY", kGoodKey);
  }

  void SetConfig(const std::string& extra_check_fields) {
    WriteAll(dir_ + "/config.textproto", absl::StrCat(R"pb(
      infisical { site_url: "http://127.0.0.1:1" }
      project_slug: "glitchtip"
      environment: "prod"
      template_path: ".env.template"
      output_path: ".env"
      on_change { command: ["deploy"] }
      secrets { name: "SECRET_KEY" rotation { restart_services: ["web"] } }
      health_check { command { command: ["/usr/local/bin/check-app"] }
                     attempts: 2 interval_ms: 500 )pb",
                                                      extra_check_fields, " }\n"));
  }

  Outcome Sync(SyncOptions o = {}) {
    o.config_path = dir_ + "/config.textproto";
    std::ostringstream out, err;
    CapturingLogSink log;
    System sys{clock_, fs_, random_, env_, commands_, log, users_, store_.Factory()};
    int code = RunSync(o, sys, out, err);
    Outcome r{code, out.str(), err.str(), log.Joined()};
    for (const char* canary : {kGoodKey, kBadKey, kOtherKey}) {
      EXPECT_THAT(r.out + r.err + r.log, Not(HasSubstr(canary)));
    }
    return r;
  }

  std::string env_path() const { return dir_ + "/.env"; }
  std::string rejected_path() const { return dir_ + "/.env.rejected"; }

  std::string dir_;
  FakeClock clock_;
  RealFilesystem real_fs_;
  FakeFilesystem fs_{real_fs_};
  OsRandomSource random_;
  MapEnvironment env_;
  ScriptedRunner commands_;
  FakeSecretStore store_;
  MapUserDirectory users_;
};

TEST_F(SyncHealthTest, HealthyChangeIsReported) {
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(commands_.checks, 1);
  EXPECT_THAT(r.out, HasSubstr("health check check-app: healthy (1 attempt"));
  EXPECT_EQ(ReadAll(rejected_path()), "<none>");
}

TEST_F(SyncHealthTest, UnhealthyChangeIsRolledBackByteForByteThenHeldBack) {
  ASSERT_EQ(Sync().code, kExitOk);
  const std::string before = ReadAll(env_path());
  struct stat st_before;
  ASSERT_EQ(stat(env_path().c_str(), &st_before), 0);

  store_.Put("SECRET_KEY", kBadKey, 2);
  clock_.Advance(absl::Hours(1));
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitRolledBack) << r.err;
  EXPECT_EQ(ReadAll(env_path()), before);
  struct stat st;
  ASSERT_EQ(stat(env_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, st_before.st_mode & 0777);
  EXPECT_EQ(commands_.deploys, 3);  // first sync, the change, the rollback
  EXPECT_EQ(commands_.checks, 1 + 2 + 1);  // two failed attempts, one healthy after
  EXPECT_EQ(commands_.calls.back().argv[0], "/usr/local/bin/check-app");
  EXPECT_EQ(commands_.calls[commands_.calls.size() - 2].env.at("SECRETSYNC_CHANGED"),
            "SECRET_KEY");
  EXPECT_THAT(r.err, HasSubstr("the change was rolled back"));
  EXPECT_THAT(r.err, HasSubstr("check-app: exit 3 (2 attempts)"));
  EXPECT_THAT(r.err, HasSubstr("healthy again"));
  EXPECT_THAT(r.out, HasSubstr("rolled back to the previous"));
  EXPECT_THAT(ReadAll(rejected_path()), HasSubstr("sha256 "));
  struct stat rejected;
  ASSERT_EQ(stat(rejected_path().c_str(), &rejected), 0);
  EXPECT_EQ(rejected.st_mode & 0777, 0600u);

  // The same content again: held back, nothing written, nothing run.
  Outcome held = Sync();
  EXPECT_EQ(held.code, kExitRolledBack);
  EXPECT_THAT(held.err, HasSubstr("held back: unhealthy at 2027-01-15T09:00:00Z"));
  EXPECT_THAT(held.out, HasSubstr("HELD BACK"));
  EXPECT_EQ(commands_.deploys, 3);
  EXPECT_EQ(commands_.checks, 4);
  EXPECT_EQ(ReadAll(env_path()), before);

  SyncOptions json;
  json.json = true;
  EXPECT_THAT(Sync(json).out, HasSubstr("\"outcome\":\"HELD_BACK\""));

  // --force applies it again, and it is rolled back again.
  SyncOptions force;
  force.force = true;
  EXPECT_EQ(Sync(force).code, kExitRolledBack);
  EXPECT_EQ(commands_.deploys, 5);
  EXPECT_EQ(ReadAll(env_path()), before);

  // A further, good change goes through and clears the record.
  store_.Put("SECRET_KEY", kOtherKey, 3);
  Outcome good = Sync();
  EXPECT_EQ(good.code, kExitOk) << good.err;
  EXPECT_THAT(ReadAll(env_path()), HasSubstr(kOtherKey));
  EXPECT_EQ(ReadAll(rejected_path()), "<none>");
}

TEST_F(SyncHealthTest, RollbackNeverKeepsTheChangeAndExits79) {
  SetConfig("rollback_on_unhealthy: ROLLBACK_NEVER");
  ASSERT_EQ(Sync().code, kExitOk);
  store_.Put("SECRET_KEY", kBadKey, 2);
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitOnChangeFailed);
  EXPECT_THAT(r.err, HasSubstr("ROLLBACK_NEVER"));
  EXPECT_THAT(r.out, HasSubstr("UNHEALTHY: exit 3; the change was kept"));
  EXPECT_THAT(ReadAll(env_path()), HasSubstr(kBadKey));
  EXPECT_EQ(ReadAll(rejected_path()), "<none>");
}

TEST_F(SyncHealthTest, FirstWriteHasNothingToRollBackTo) {
  store_.Put("SECRET_KEY", kBadKey, 2);
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitOnChangeFailed);
  EXPECT_THAT(r.err, HasSubstr("nothing to roll back to: it did not exist before"));
  EXPECT_THAT(ReadAll(env_path()), HasSubstr(kBadKey));
}

TEST_F(SyncHealthTest, FailingCommandAfterTheRollbackStillExits81AndIsRetried) {
  ASSERT_EQ(Sync().code, kExitOk);
  const std::string before = ReadAll(env_path());
  store_.Put("SECRET_KEY", kBadKey, 2);
  commands_.deploy_exits = {0, 1};  // the change's command works, the rollback's fails
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitRolledBack);
  EXPECT_THAT(r.err, HasSubstr("the on-change command after the rollback failed"));
  EXPECT_EQ(ReadAll(env_path()), before);
  EXPECT_NE(ReadAll(dir_ + "/.env.lock.onchange-failed"), "<none>");
  // Held back, but the pending command is retried for the restored file.
  const int deploys = commands_.deploys;
  Outcome held = Sync();
  EXPECT_EQ(held.code, kExitRolledBack);
  EXPECT_EQ(commands_.deploys, deploys + 1);
  EXPECT_EQ(ReadAll(dir_ + "/.env.lock.onchange-failed"), "<none>");
}

TEST_F(SyncHealthTest, DryRunAndNoCommandNeverCheck) {
  ASSERT_EQ(Sync().code, kExitOk);
  store_.Put("SECRET_KEY", kBadKey, 2);
  SyncOptions dry;
  dry.dry_run = true;
  EXPECT_EQ(Sync(dry).code, kExitOk);
  SyncOptions check;
  check.check = true;
  EXPECT_EQ(Sync(check).code, kExitOk);
  EXPECT_EQ(commands_.checks, 1);
}

}  // namespace
}  // namespace sync
}  // namespace secretsync

// sync end to end against an in-memory store and real files: first write,
// no-op rerun, changed secret, fail-closed errors, dry run, and canaries.
#include "lib/sync/sync_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/config/deployment.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_command_runner.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/fake_secret_store.h"

namespace secretsync {
namespace sync {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Canary values: must never appear in any output.
constexpr char kSecretKey[] = "canary-secret-key-8c1f2e";
constexpr char kPassword[] = "canary+pw/9a=";
constexpr char kEmailUrl[] = "smtp://apikey:canary-mail-3b7d@smtp.example.com:587";

constexpr char kTemplate[] =
    "# GlitchTip\n"
    "SECRET_KEY=${SECRET_KEY}\n"
    "POSTGRES_PASSWORD=${POSTGRES_PASSWORD}\n"
    "DATABASE_URL=postgres://u:${POSTGRES_PASSWORD | urlencode}@db:5432/g\n"
    "EMAIL_URL=${EMAIL_URL}\n"
    "PORT=8000\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Records, at each Run, whether the pending-command marker exists and what it
// holds, so a test can see the state a crash during the command would leave.
class MarkerWatchingRunner : public FakeCommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override {
    std::ifstream in(marker_path);
    std::stringstream text;
    text << in.rdbuf();
    marker_during_run.push_back(in.good() ? text.str() : "<none>");
    return FakeCommandRunner::Run(argv, env, timeout);
  }
  std::string marker_path;
  std::vector<std::string> marker_during_run;
};

struct Outcome {
  int code;
  std::string out, err, log;
  std::string all() const { return out + err + log; }
};

class SyncCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& ch : name) {
      if (ch == '/') ch = '_';
    }
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    WriteAll(dir_ + "/.env.template", kTemplate);
    WriteAll(dir_ + "/config.textproto", absl::StrCat(R"pb(
      infisical { site_url: "http://127.0.0.1:1" }
      project_slug: "glitchtip"
      environment: "prod"
      template_path: ".env.template"
      output_path: ".env"
      backup: true
      on_change { command: ["deploy", "--now"] timeout_seconds: 9 }
      secrets { name: "SECRET_KEY" generator { kind: HEX } rotation { restart_services: ["web"] } }
      secrets { name: "POSTGRES_PASSWORD" generator { kind: BASE64 }
                rotation { restart_services: ["web", "worker"] } }
      secrets { name: "EMAIL_URL" validator { kind: SMTP_URL } }
    )pb"));
    commands_.marker_path = marker_path();
    store_.Put("SECRET_KEY", kSecretKey);
    store_.Put("POSTGRES_PASSWORD", kPassword);
    store_.Put("EMAIL_URL", kEmailUrl);
  }

  Outcome Sync(SyncOptions o = {}) {
    if (o.config_path.empty()) o.config_path = dir_ + "/config.textproto";
    std::ostringstream out, err;
    CapturingLogSink log;
    System sys{clock_, fs_, random_, env_, commands_, log, users_, store_.Factory()};
    int code = RunSync(o, sys, out, err);
    Outcome r{code, out.str(), err.str(), log.Joined()};
    for (const char* canary : {kSecretKey, kPassword, kEmailUrl, "canary-mail-3b7d", "canary%2Bpw"}) {
      EXPECT_THAT(r.all(), Not(HasSubstr(canary)));
    }
    return r;
  }

  std::string env_path() const { return dir_ + "/.env"; }
  std::string marker_path() const { return dir_ + "/.env.lock.onchange-failed"; }

  std::string dir_;
  FakeClock clock_;
  RealFilesystem real_fs_;
  FakeFilesystem fs_{real_fs_};
  OsRandomSource random_;
  MapEnvironment env_;
  MarkerWatchingRunner commands_;
  FakeSecretStore store_;
  MapUserDirectory users_;
};

TEST_F(SyncCommandTest, FirstSyncWritesQuotedEnvWithMode0600) {
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(ReadAll(env_path()),
            "# GlitchTip\n"
            "SECRET_KEY='canary-secret-key-8c1f2e'\n"
            "POSTGRES_PASSWORD='canary+pw/9a='\n"
            "DATABASE_URL='postgres://u:canary%2Bpw%2F9a%3D@db:5432/g'\n"
            "EMAIL_URL='smtp://apikey:canary-mail-3b7d@smtp.example.com:587'\n"
            "PORT=8000\n");
  struct stat st;
  ASSERT_EQ(stat(env_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(r.out, HasSubstr("added DATABASE_URL,EMAIL_URL,PORT,POSTGRES_PASSWORD,SECRET_KEY"));
  ASSERT_EQ(commands_.calls.size(), 1u);
  EXPECT_THAT(commands_.calls[0].argv, ElementsAre("deploy", "--now"));
  EXPECT_EQ(commands_.calls[0].env["SECRETSYNC_SERVICES"], "web worker");
  EXPECT_EQ(commands_.calls[0].timeout, absl::Seconds(9));
}

TEST_F(SyncCommandTest, RootRunsTheCommandAsTheConfiguredOwner) {
  users_ = MapUserDirectory({{"nobody", 65534}}, {{"nogroup", 65534}});
  std::string config = ReadAll(dir_ + "/config.textproto");
  WriteAll(dir_ + "/config.textproto", config + "owner: \"nobody\"\ngroup: \"nogroup\"\n");
  Outcome r = Sync();
  if (geteuid() == 0) {  // CI runs as root: the ids are dropped before the command
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(commands_.calls.size(), 1u);
    EXPECT_THAT(commands_.calls[0].argv,
                ElementsAre("/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                            ::testing::_, "--", "deploy", "--now"));
  } else {  // a non-root run cannot change ids: any command runs as it is
    for (const auto& call : commands_.calls) {
      EXPECT_THAT(call.argv, ElementsAre("deploy", "--now"));
    }
  }
}

TEST_F(SyncCommandTest, SecondSyncWithoutChangeWritesNothingAndRunsNothing) {
  ASSERT_EQ(Sync().code, kExitOk);
  auto renames = [this] {
    int n = 0;
    for (const std::string& op : fs_.op_names()) n += op == "rename";
    return n;
  };
  const int renames_before = renames();
  struct stat before;
  ASSERT_EQ(stat(env_path().c_str(), &before), 0);
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("is up to date"));
  EXPECT_EQ(commands_.calls.size(), 1u);  // only the first sync's
  struct stat after;
  ASSERT_EQ(stat(env_path().c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not replaced
  EXPECT_EQ(renames(), renames_before);
}

TEST_F(SyncCommandTest, ChangedSecretRewritesAndNamesOnlyThatVariable) {
  ASSERT_EQ(Sync().code, kExitOk);
  store_.Put("SECRET_KEY", "canary-secret-key-8c1f2e-v2", 2);
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added -; changed SECRET_KEY; removed -"));
  EXPECT_THAT(ReadAll(env_path()), HasSubstr("SECRET_KEY='canary-secret-key-8c1f2e-v2'\n"));
  ASSERT_EQ(commands_.calls.size(), 2u);
  EXPECT_EQ(commands_.calls[1].env["SECRETSYNC_CHANGED"], "SECRET_KEY");
  EXPECT_EQ(commands_.calls[1].env["SECRETSYNC_SERVICES"], "web");
  // The previous file is kept as .env.bak, 0600.
  EXPECT_THAT(ReadAll(env_path() + ".bak"), HasSubstr("SECRET_KEY='canary-secret-key-8c1f2e'\n"));
  struct stat st;
  ASSERT_EQ(stat((env_path() + ".bak").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

struct FailCase {
  const char* name;
  absl::Status store_error;  // OK: no store error
  const char* template_text;  // nullptr: the default
  const char* email_url;      // nullptr: the canary
  int exit_code;
  const char* message;
};

class SyncFailClosedTest : public SyncCommandTest,
                           public ::testing::WithParamInterface<FailCase> {};

TEST_P(SyncFailClosedTest, LeavesExistingEnvByteIdentical) {
  WriteAll(env_path(), "OLD='content'\n");
  chmod(env_path().c_str(), 0600);
  const FailCase& c = GetParam();
  if (!c.store_error.ok()) store_.fail_next = {c.store_error};
  if (c.template_text) WriteAll(dir_ + "/.env.template", c.template_text);
  if (c.email_url) store_.Put("EMAIL_URL", c.email_url);
  Outcome r = Sync();
  EXPECT_EQ(r.code, c.exit_code) << r.err;
  EXPECT_THAT(r.err, HasSubstr(c.message));
  EXPECT_THAT(r.err, HasSubstr("was left unchanged"));
  EXPECT_EQ(ReadAll(env_path()), "OLD='content'\n");
  EXPECT_TRUE(commands_.calls.empty());
  if (c.email_url) {
    EXPECT_THAT(r.all(), Not(HasSubstr(c.email_url)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SyncFailClosedTest,
    ::testing::Values(
        FailCase{"Unauthenticated", absl::UnauthenticatedError("401 Invalid credentials"), nullptr,
                 nullptr, kExitNoPerm, "401"},
        FailCase{"PermissionDenied", absl::PermissionDeniedError("403"), nullptr, nullptr,
                 kExitNoPerm, "403"},
        FailCase{"Unavailable", absl::UnavailableError("503 after 5 attempts"), nullptr, nullptr,
                 kExitTempFail, "503"},
        FailCase{"Timeout", absl::DeadlineExceededError("timed out"), nullptr, nullptr,
                 kExitTempFail, "timed out"},
        FailCase{"MalformedReply", absl::InvalidArgumentError("malformed reply"), nullptr, nullptr,
                 kExitDataErr, "malformed reply"},
        FailCase{"MissingSecret", absl::OkStatus(), "A=${NOPE}\n", nullptr, kExitNoInput, "NOPE"},
        FailCase{"BadTemplate", absl::OkStatus(), "A=${SECRET_KEY | nofilter}\n", nullptr,
                 kExitDataErr, ".env.template:1:"},
        FailCase{"InvalidEmailUrl", absl::OkStatus(), nullptr,
                 "smtp://apikey:SG.canary-app-pw/x@smtp.sendgrid.net:587", kExitDataErr,
                 "EMAIL_URL"}),
    [](const ::testing::TestParamInfo<FailCase>& info) { return std::string(info.param.name); });

TEST_F(SyncCommandTest, WriteFailureKeepsOldFileAndSaysWhy) {
  WriteAll(env_path(), "OLD='content'\n");
  fs_.FailOp("rename", absl::PermissionDeniedError("rename: read-only file system"));
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitCantCreate);
  EXPECT_THAT(r.err, HasSubstr("read-only"));
  EXPECT_EQ(ReadAll(env_path()), "OLD='content'\n");
  EXPECT_TRUE(commands_.calls.empty());
}

TEST_F(SyncCommandTest, FailingCommandGivesDistinctCodeAndKeepsNewFile) {
  commands_.result = CommandResult{3, 0, false};
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitOnChangeFailed);
  EXPECT_THAT(r.err, HasSubstr("exited with 3"));
  EXPECT_THAT(ReadAll(env_path()), HasSubstr("SECRET_KEY="));
}

TEST_F(SyncCommandTest, PendingMarkerExistsWhileTheCommandRunsAndGoesOnSuccess) {
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  // A crash while the command runs would leave the names and services behind.
  ASSERT_EQ(commands_.marker_during_run.size(), 1u);
  EXPECT_THAT(commands_.marker_during_run[0], HasSubstr("changed: \"SECRET_KEY\""));
  EXPECT_THAT(commands_.marker_during_run[0], HasSubstr("services: \"worker\""));
  EXPECT_FALSE(std::ifstream(marker_path()).good());
}

TEST_F(SyncCommandTest, FailedCommandKeepsThePendingMarkerWithTheAttemptCounted) {
  commands_.result = CommandResult{3, 0, false};
  ASSERT_EQ(Sync().code, kExitOnChangeFailed);
  EXPECT_EQ(commands_.marker_during_run[0].find("attempts"), std::string::npos);
  EXPECT_THAT(ReadAll(marker_path()), HasSubstr("attempts: 1"));
  EXPECT_THAT(ReadAll(marker_path()), HasSubstr("services: \"web\""));
  ASSERT_EQ(Sync().code, kExitOnChangeFailed);  // retried although .env is unchanged
  EXPECT_THAT(commands_.marker_during_run[1], HasSubstr("attempts: 1"));
  EXPECT_THAT(ReadAll(marker_path()), HasSubstr("attempts: 2"));
}

TEST_F(SyncCommandTest, MarkerLeftByAKilledRunMakesAnUnchangedSyncRerunTheCommand) {
  ASSERT_EQ(Sync().code, kExitOk);
  // What a run killed during its command leaves: the marker, no attempt yet.
  WriteAll(marker_path(), "changed: \"SECRET_KEY\" services: \"web\"\n");
  Outcome r = Sync();
  ASSERT_EQ(r.code, kExitOk) << r.err;
  ASSERT_EQ(commands_.calls.size(), 2u);
  EXPECT_EQ(commands_.calls[1].env["SECRETSYNC_CHANGED"], "SECRET_KEY");
  EXPECT_EQ(commands_.calls[1].env["SECRETSYNC_SERVICES"], "web");
  EXPECT_FALSE(std::ifstream(marker_path()).good());
}

TEST_F(SyncCommandTest, DryRunReportsNamesAndWritesNothing) {
  SyncOptions o;
  o.dry_run = true;
  Outcome r = Sync(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("would change: added DATABASE_URL,EMAIL_URL"));
  EXPECT_FALSE(std::ifstream(env_path()).good());
  EXPECT_TRUE(commands_.calls.empty());
}

TEST_F(SyncCommandTest, CheckMakesNoStoreCallAndWritesNothing) {
  store_.fail_next = {absl::UnavailableError("no network")};
  SyncOptions o;
  o.check = true;
  Outcome r = Sync(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pass every offline check"));
  EXPECT_EQ(store_.calls, 0);
  struct stat st;
  EXPECT_NE(stat(env_path().c_str(), &st), 0);
}

TEST_F(SyncCommandTest, OutputOverTheReadersLimitIsNeverWritten) {
  // The writer and the reader share one limit: a file a later run could not
  // read is never written.
  store_.Put("SECRET_KEY", std::string(17 << 20, 'k'));
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitDataErr);
  EXPECT_THAT(r.err, HasSubstr("more than the limit"));
  struct stat st;
  EXPECT_NE(stat(env_path().c_str(), &st), 0);
}

TEST_F(SyncCommandTest, JsonReportHasNamesOnly) {
  SyncOptions o;
  o.json = true;
  Outcome r = Sync(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"written\":true"));
  EXPECT_THAT(r.out, HasSubstr("\"added\":[\"DATABASE_URL\",\"EMAIL_URL\",\"PORT\""));
  EXPECT_THAT(r.out, HasSubstr("\"services\":[\"web\",\"worker\"]"));
}

TEST_F(SyncCommandTest, MissingConfigFlagIsUsageData) {
  SyncOptions o;
  o.config_path = dir_ + "/nope.textproto";
  EXPECT_EQ(Sync(o).code, kExitNoInput);
}

// A rotation left unfinished (here: a <NAME>__PENDING secret, as after a
// crash between storing an alternating pair's password and its user) may
// have left Infisical with a half-switched value: the .env stays as it was.
TEST_F(SyncCommandTest, PendingRotationSecretKeepsTheEnvAndExits80) {
  ASSERT_EQ(Sync().code, kExitOk);
  commands_.calls.clear();
  const std::string before = ReadAll(env_path());
  store_.Put("POSTGRES_PASSWORD", "canary-half-switched-1");
  store_.Put("POSTGRES_PASSWORD__PENDING", "canary-half-switched-2");
  Outcome r = Sync();
  EXPECT_EQ(r.code, kExitRotationPending);
  EXPECT_THAT(r.err, HasSubstr("rotation of POSTGRES_PASSWORD is pending"));
  EXPECT_THAT(r.err, HasSubstr("rotate --resume"));
  EXPECT_EQ(ReadAll(env_path()), before);
  EXPECT_TRUE(commands_.calls.empty());
  EXPECT_THAT(r.all(), Not(HasSubstr("canary-half-switched")));
  ASSERT_THAT(store_.Delete({}, "POSTGRES_PASSWORD__PENDING"), ::testing::Eq(absl::OkStatus()));
  EXPECT_EQ(Sync().code, kExitOk);
  EXPECT_THAT(ReadAll(env_path()), HasSubstr("canary-half-switched-1"));
}

// The journal rotate keeps for this deployment (and an old-style one) keeps
// the .env; another deployment's journal in the same state folder does not.
TEST_F(SyncCommandTest, RotationJournalKeepsTheEnvButNotAnotherDeployments) {
  ASSERT_EQ(Sync().code, kExitOk);
  RealFilesystem fs;
  MapUserDirectory users;
  absl::StatusOr<config::Deployment> d =
      config::LoadDeployment(dir_ + "/config.textproto", {}, fs, env_, users);
  ASSERT_TRUE(d.ok()) << d.status();
  mkdir(config::RotationStateDir(*d).c_str(), 0700);
  config::Deployment other = *d;
  other.config.set_output_path(dir_ + "/.env.other");
  const std::string others_journal = config::RotationJournalPath(other, "POSTGRES_PASSWORD");
  WriteAll(others_journal, "journal");
  store_.Put("SECRET_KEY", "canary-secret-key-next-1");
  EXPECT_EQ(Sync().code, kExitOk);  // another deployment's rotation: not ours
  const std::string before = ReadAll(env_path());
  store_.Put("SECRET_KEY", "canary-secret-key-next-2");
  for (const std::string& journal : {config::RotationJournalPath(*d, "POSTGRES_PASSWORD"),
                                     config::LegacyRotationJournalPath(*d, "POSTGRES_PASSWORD")}) {
    SCOPED_TRACE(journal);
    WriteAll(journal, "journal");
    Outcome r = Sync();
    EXPECT_EQ(r.code, kExitRotationPending);
    EXPECT_THAT(r.err, HasSubstr("POSTGRES_PASSWORD"));
    EXPECT_THAT(r.err, HasSubstr(journal));
    EXPECT_EQ(ReadAll(env_path()), before);
    unlink(journal.c_str());
  }
  EXPECT_EQ(Sync().code, kExitOk);
}

}  // namespace
}  // namespace sync
}  // namespace secretsync

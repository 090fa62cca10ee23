// The health check after rotate's restart, against fakes (in-memory roles and
// store, real journal files, a faked check that fails while the "running"
// .env holds the new value): healthy and unchecked runs are unchanged; an
// unhealthy one rolls back (exit 81) for both strategies; ROLLBACK_NEVER
// keeps the new value (exit 79); a "crash" at every rollback step, then
// resume, converges on the old value without applying the new one again.
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/status_macros.h"
#include "lib/rotate/alternating_rotation.h"
#include "lib/rotate/journal.h"
#include "lib/rotate/password_rotation.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_secret_store.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace rotate {
namespace {

using ::secretsync::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOld[] = "canaryOldPassword111";
constexpr char kNew[] = "canaryNewPassword222";
constexpr char kPw[] = "POSTGRES_PASSWORD";
constexpr char kUser[] = "POSTGRES_USER";
constexpr char kA[] = "app";
constexpr char kB[] = "app_b";

std::string Named(const SecretValue& v) {
  if (v == SecretValue(std::string(kOld))) return kOld;
  if (v == SecretValue(std::string(kNew))) return kNew;
  return "other";
}

// Roles with string passwords; `dead` makes every call fail Unavailable.
class FakeRoles : public PasswordTarget, public RolePairTarget {
 public:
  std::map<std::string, std::string> passwords{{kA, kOld}};
  bool dead = false;
  std::vector<std::string> calls;  // "login R", "set R new", "set R old"

  // PasswordTarget: role kA.
  std::string Describe() const override { return "fake role app"; }
  absl::Status CanLogIn(const SecretValue& pw) override { return CanLogIn(kA, pw); }
  absl::Status Apply(const SecretValue& current, const SecretValue& next) override {
    SS_RETURN_IF_ERROR(CanLogIn(kA, current));
    return SetPassword(kA, next);
  }
  // RolePairTarget.
  const std::string& primary() const override { return a_; }
  const std::string& alternate() const override { return b_; }
  absl::Status CanLogIn(absl::string_view role, const SecretValue& pw) override {
    calls.push_back(absl::StrCat("login ", role));
    if (dead) return absl::UnavailableError("fake server: down");
    auto it = passwords.find(std::string(role));
    if (it != passwords.end() && pw == SecretValue(it->second)) return absl::OkStatus();
    return absl::UnauthenticatedError("fake server: password refused");
  }
  absl::Status SetPassword(absl::string_view role, const SecretValue& pw) override {
    calls.push_back(absl::StrCat("set ", role, Named(pw) == kNew ? " new" : " old"));
    if (dead) return absl::UnavailableError("fake server: down");
    passwords[std::string(role)] = Named(pw);
    return absl::OkStatus();
  }

 private:
  std::string a_ = kA;
  std::string b_ = kB;
};

class HealthRollbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    store_.Put(kPw, kOld);
    gate_.report = &report_;
  }

  // The application is healthy unless the .env it runs with holds the new
  // password (and `app_rejects_new_`).
  void EnableCheck() {
    gate_.check = [this] {
      checks_++;
      v1::HealthReport r;
      r.set_check("GET http://127.0.0.1:1/_health/");
      r.set_attempts(2);
      const bool bad = app_rejects_new_ && !running_.empty() && running_.back() == kNew;
      r.set_outcome(bad ? v1::UNHEALTHY : v1::HEALTHY);
      if (bad) r.set_detail("status 500 (want 200)");
      return r;
    };
  }
  std::function<absl::Status()> Sync() {
    return [this] {
      if (roles_.dead) return absl::UnavailableError("fake sync: dead");
      running_.push_back(store_.ValueOf(kPw));
      return absl::OkStatus();
    };
  }
  std::function<void(absl::string_view)> Failpoint() {
    return [this](absl::string_view step) {
      steps_.emplace_back(step);
      if (step == die_at_) {  // a crash: from here on every seam fails
        roles_.dead = true;
        store_.fail_next.assign(100, absl::UnavailableError("fake store: dead"));
      }
    };
  }
  void Revive() {
    roles_.dead = false;
    store_.fail_next.clear();
    die_at_.clear();
  }
  PasswordRotation Single() {
    PasswordRotation r{fs_,  clock_, log_, JournalPath(), geteuid(), pw_side_, roles_,
                       Sync(), Failpoint()};
    r.health = gate_;
    return r;
  }
  AlternatingRotation Alternating() {
    AlternatingRotation r{fs_,       clock_,     log_,   JournalPath(), geteuid(),
                          pw_side_,  user_side_, roles_, Sync(),        Failpoint()};
    r.health = gate_;
    return r;
  }
  std::string JournalPath() const { return dir_ + "/POSTGRES_PASSWORD.journal"; }
  bool JournalExists() const {
    struct stat st;
    return stat(JournalPath().c_str(), &st) == 0;
  }
  // Infisical, the database and the running .env all on the old value.
  void ExpectAllOld(const std::string& role) {
    EXPECT_EQ(roles_.passwords[role], kOld);
    EXPECT_EQ(store_.ValueOf(kPw), kOld);
    ASSERT_FALSE(running_.empty());
    EXPECT_EQ(running_.back(), kOld);
    EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
    EXPECT_FALSE(JournalExists());
  }
  void ExpectRolledBackReport() {
    EXPECT_EQ(report_.outcome(), v1::UNHEALTHY_ROLLED_BACK);
    EXPECT_EQ(report_.check(), "GET http://127.0.0.1:1/_health/");
    EXPECT_EQ(report_.detail(), "status 500 (want 200)");
    EXPECT_EQ(report_.attempts(), 2);
    EXPECT_TRUE(report_.healthy_after_rollback());
  }
  void ExpectNoCanary(const absl::Status& s) {
    for (const char* v : {kOld, kNew}) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(v)));
      EXPECT_THAT(log_.Joined(), Not(HasSubstr(v)));
      EXPECT_THAT(report_.DebugString(), Not(HasSubstr(v)));
    }
  }

  std::string dir_;
  RealFilesystem fs_;
  FakeClock clock_;
  CapturingLogSink log_;
  FakeSecretStore store_;
  StoreSide pw_side_{store_, infisical::SecretScope{}, kPw};
  StoreSide user_side_{store_, infisical::SecretScope{}, kUser};
  FakeRoles roles_;
  HealthGate gate_;
  v1::HealthReport report_;
  bool app_rejects_new_ = true;
  int checks_ = 0;
  std::string die_at_;
  std::vector<std::string> running_;  // the password of each synced .env
  std::vector<std::string> steps_;
};

TEST_F(HealthRollbackTest, WithoutACheckNothingChanges) {
  PasswordRotation r = Single();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRotated);
  EXPECT_EQ(roles_.passwords[kA], kNew);
  EXPECT_THAT(steps_, ElementsAre("journal", "pending", "alter_role", "verify", "promote",
                                  "sync", "delete_pending"));
  EXPECT_EQ(report_.outcome(), v1::HEALTH_NOT_CHECKED);
}

TEST_F(HealthRollbackTest, HealthyRotationIsCheckedOnceAndKept) {
  app_rejects_new_ = false;
  EnableCheck();
  PasswordRotation r = Single();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRotated);
  EXPECT_EQ(checks_, 1);
  EXPECT_EQ(report_.outcome(), v1::HEALTHY);
  EXPECT_EQ(roles_.passwords[kA], kNew);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  EXPECT_FALSE(JournalExists());
  EXPECT_THAT(running_, ElementsAre(kNew));
}

TEST_F(HealthRollbackTest, UnhealthySingleUserRollsBackEverywhere) {
  EnableCheck();
  PasswordRotation r = Single();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRolledBack);
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("status 500 (want 200)"));
  ExpectAllOld(kA);
  EXPECT_THAT(running_, ElementsAre(kNew, kOld));
  EXPECT_EQ(checks_, 2);
  EXPECT_THAT(steps_, ElementsAre("journal", "pending", "alter_role", "verify", "promote",
                                  "sync", "delete_pending", "health_failed", "rollback_store",
                                  "rollback_db", "rollback_synced"));
  EXPECT_EQ(store_.VersionOf(kPw), 3);  // old -> new -> old again, as a new version
  ExpectRolledBackReport();
  ExpectNoCanary(out.status());
}

TEST_F(HealthRollbackTest, NeverRollBackKeepsTheNewValueAndExits79) {
  EnableCheck();
  gate_.roll_back = false;
  PasswordRotation r = Single();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitOnChangeFailed);
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("ROLLBACK_NEVER"));
  EXPECT_EQ(roles_.passwords[kA], kNew);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  EXPECT_THAT(running_, ElementsAre(kNew));
  EXPECT_FALSE(JournalExists());
  EXPECT_EQ(report_.outcome(), v1::UNHEALTHY);
  EXPECT_EQ(report_.detail(), "status 500 (want 200)");
  ExpectNoCanary(out.status());
}

TEST_F(HealthRollbackTest, UnhealthyAlternatingSwitchesBackToThePreviousRole) {
  EnableCheck();
  AlternatingRotation r = Alternating();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRolledBack);
  ExpectAllOld(kA);
  EXPECT_EQ(store_.ValueOf(kUser), kA);
  EXPECT_FALSE(store_.Has("POSTGRES_USER__PENDING"));
  // The previous role's password was never touched: one set, the idle role's.
  EXPECT_THAT(roles_.calls, ElementsAre("login app", "set app_b new", "login app_b",
                                        "login app", "login app"));
  EXPECT_EQ(roles_.passwords[kB], kNew);
  ExpectRolledBackReport();
  ExpectNoCanary(out.status());
}

// A crash at every step of the rollback (and during the check), then a
// resume: it finishes the rollback, never applies the new value again, and
// exits 81 with the failed check in its report.
class HealthRollbackCrashTest : public HealthRollbackTest,
                                public ::testing::WithParamInterface<
                                    std::tuple<bool /*alternating*/, std::string /*step*/>> {};

TEST_P(HealthRollbackCrashTest, ResumeFinishesTheRollback) {
  const bool alternating = std::get<0>(GetParam());
  die_at_ = std::get<1>(GetParam());
  EnableCheck();
  absl::Status first = alternating ? [&] {
    AlternatingRotation r = Alternating();
    return RotateAlternating(r, SecretValue(std::string(kNew))).status();
  }()
                                   : [&] {
                                       PasswordRotation r = Single();
                                       return RotatePassword(r, SecretValue(std::string(kNew)))
                                           .status();
                                     }();
  EXPECT_NE(ExitCodeFromStatus(first), kExitOk);
  EXPECT_TRUE(JournalExists());
  ExpectNoCanary(first);

  Revive();
  report_.Clear();
  roles_.calls.clear();
  absl::StatusOr<Outcome> out;
  if (alternating) {
    AlternatingRotation r = Alternating();
    out = ResumeAlternating(r);
  } else {
    PasswordRotation r = Single();
    out = ResumePassword(r);
  }
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRolledBack) << out.status();
  ExpectAllOld(kA);
  if (alternating) {
    EXPECT_EQ(store_.ValueOf(kUser), kA);
  }
  // The resume never set the new password again.
  EXPECT_THAT(roles_.calls, Not(::testing::Contains(HasSubstr(" new"))));
  ExpectRolledBackReport();
  ExpectNoCanary(out.status());
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, HealthRollbackCrashTest,
    ::testing::Combine(::testing::Bool(),
                       ::testing::Values("health_failed", "rollback_store",
                                         "rollback_db", "rollback_synced")));

// Killed while the check ran: the journal is still at PENDING_STORED with the
// new value in force, stored and synced. The resume rolls forward (repeating
// nothing that is done), checks, and rolls back.
TEST_F(HealthRollbackTest, KilledDuringTheCheckResumeChecksAndRollsBack) {
  EnableCheck();
  Journal j;
  j.secret_name = kPw;
  j.step = v1::RotationJournal::PENDING_STORED;
  j.old_value = SecretValue(std::string(kOld));
  j.new_value = SecretValue(std::string(kNew));
  j.strategy = v1::SINGLE_USER;
  ASSERT_THAT(WriteJournal(fs_, JournalPath(), j), IsOk());
  store_.Put(kPw, kNew, 2);
  roles_.passwords[kA] = kNew;
  running_.push_back(kNew);
  PasswordRotation r = Single();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRolledBack) << out.status();
  ExpectAllOld(kA);
  EXPECT_THAT(roles_.calls, ElementsAre("login app", "login app", "login app", "set app old",
                                        "login app"));
  ExpectRolledBackReport();
  ExpectNoCanary(out.status());
}

TEST_F(HealthRollbackTest, AFailedRollbackStepKeepsTheJournalForResume) {
  EnableCheck();
  PasswordRotation r = Single();
  // Infisical refuses the old value's new version: nothing else moves.
  store_.fail_next.clear();
  r.health.check = [this, inner = gate_.check] {
    v1::HealthReport rep = inner();
    if (rep.outcome() != v1::HEALTHY) {
      store_.fail_next.assign(10, absl::UnavailableError("fake store: 503"));
    }
    return rep;
  };
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("rollback_store"));
  EXPECT_TRUE(JournalExists());
  EXPECT_EQ(roles_.passwords[kA], kNew);  // the database was not touched yet
  store_.fail_next.clear();
  PasswordRotation again = Single();
  absl::StatusOr<Outcome> resumed = ResumePassword(again);
  EXPECT_EQ(ExitCodeFromStatus(resumed.status()), kExitRolledBack);
  ExpectAllOld(kA);
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

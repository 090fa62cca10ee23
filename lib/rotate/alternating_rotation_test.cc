// The alternating-users step machine against fakes (two in-memory roles, an
// in-memory store, real journal files): step order, the active role's
// password never changing, refusals that change nothing, a "crash" at every
// step boundary then resume, rollback and roll forward, and canaries.
#include "lib/rotate/alternating_rotation.h"

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/rotate/journal.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_secret_store.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace rotate {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOld[] = "canaryOldPassword111";
constexpr char kNew[] = "canaryNewPassword222";
constexpr char kIdleOld[] = "canaryIdlePassword333";
constexpr char kPw[] = "POSTGRES_PASSWORD";
constexpr char kUser[] = "POSTGRES_USER";
constexpr char kA[] = "app";
constexpr char kB[] = "app_b";

// Two roles with string passwords ("" = the role does not exist).
class FakePair : public RolePairTarget {
 public:
  std::map<std::string, std::string> passwords{{kA, kOld}};
  bool* dead = nullptr;            // every call fails Unavailable while *dead
  absl::Status set_error;          // returned by SetPassword (after changing, if set_then_fail)
  bool set_then_fail = false;
  std::vector<std::string> calls;  // "login R", "set R"

  const std::string& primary() const override { return a_; }
  const std::string& alternate() const override { return b_; }
  std::string Describe() const override { return "fake server"; }
  absl::Status CanLogIn(absl::string_view role, const SecretValue& pw) override {
    calls.push_back(absl::StrCat("login ", role));
    if (*dead) return absl::UnavailableError("fake server: down");
    auto it = passwords.find(std::string(role));
    if (it != passwords.end() && pw == SecretValue(it->second)) return absl::OkStatus();
    return absl::UnauthenticatedError("fake server: password refused");
  }
  absl::Status SetPassword(absl::string_view role, const SecretValue& pw) override {
    calls.push_back(absl::StrCat("set ", role));
    if (*dead) return absl::UnavailableError("fake server: down");
    if (!set_error.ok() && !set_then_fail) return set_error;
    passwords[std::string(role)] = pw == SecretValue(std::string(kNew)) ? kNew : "other";
    return set_error;
  }

 private:
  std::string a_ = kA;
  std::string b_ = kB;
};

class AlternatingRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    store_.Put(kPw, kOld);
    target_.dead = &dead_;
  }

  AlternatingRotation Rotation() {
    return AlternatingRotation{
        fs_,   clock_,  log_,    JournalPath(), geteuid(), pw_side_, user_side_, target_,
        [this] {
          if (dead_) return absl::UnavailableError("fake sync: dead");
          synced_.push_back(absl::StrCat(UserNow(), ":", store_.ValueOf(kPw)));
          return sync_result_;
        },
        [this](absl::string_view step) {
          steps_.emplace_back(step);
          if (step == die_at_) Die();
        }};
  }
  // A crash: from here on every seam fails, as if the process were gone.
  void Die() {
    dead_ = true;
    store_.fail_next.assign(100, absl::UnavailableError("fake store: dead"));
  }
  void Revive() {
    dead_ = false;
    store_.fail_next.clear();
  }
  std::string UserNow() const { return store_.Has(kUser) ? store_.ValueOf(kUser) : kA; }
  std::string JournalPath() const { return dir_ + "/POSTGRES_PASSWORD.journal"; }
  bool JournalExists() const {
    struct stat st;
    return stat(JournalPath().c_str(), &st) == 0;
  }
  void ExpectNothingPending() {
    EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
    EXPECT_FALSE(store_.Has("POSTGRES_USER__PENDING"));
    EXPECT_FALSE(JournalExists());
  }
  // The stored pair logs in.
  void ExpectConsistent() {
    const std::string user = UserNow();
    ASSERT_TRUE(target_.passwords.count(user)) << user;
    EXPECT_EQ(target_.passwords[user], store_.ValueOf(kPw)) << "role " << user;
  }
  void ExpectNoCanary(const absl::Status& s) {
    for (const char* v : {kOld, kNew, kIdleOld}) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(v)));
      EXPECT_THAT(log_.Joined(), Not(HasSubstr(v)));
    }
  }

  std::string dir_;
  RealFilesystem fs_;
  FakeClock clock_;
  CapturingLogSink log_;
  FakeSecretStore store_;
  StoreSide pw_side_{store_, infisical::SecretScope{}, kPw};
  StoreSide user_side_{store_, infisical::SecretScope{}, kUser};
  FakePair target_;
  bool dead_ = false;
  std::string die_at_;
  absl::Status sync_result_;
  std::vector<std::string> synced_;
  std::vector<std::string> steps_;
};

TEST_F(AlternatingRotationTest, RotatesTheIdleRoleAndSwitchesBothSecrets) {
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRotated);
  EXPECT_EQ(target_.passwords[kA], kOld);  // the active role never changes
  EXPECT_EQ(target_.passwords[kB], kNew);
  EXPECT_EQ(store_.ValueOf(kUser), kB);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  ExpectNothingPending();
  EXPECT_THAT(steps_, ElementsAre("journal", "pending", "alter_role", "verify",
                                  "promote_password", "promote", "sync", "delete_pending"));
  EXPECT_THAT(target_.calls, ElementsAre("login app", "set app_b", "login app_b"));
  EXPECT_THAT(synced_, ElementsAre(absl::StrCat(kB, ":", kNew)));  // one sync, the new pair
  ExpectNoCanary(out.status());
}

TEST_F(AlternatingRotationTest, SecondRotationGoesBackToThePrimary) {
  store_.Put(kUser, kB);
  store_.Put(kPw, kOld);
  target_.passwords = {{kA, kIdleOld}, {kB, kOld}};
  AlternatingRotation r = Rotation();
  ASSERT_THAT(RotateAlternating(r, SecretValue(std::string(kNew))).status(), IsOk());
  EXPECT_EQ(target_.passwords[kB], kOld);
  EXPECT_EQ(target_.passwords[kA], kNew);
  EXPECT_EQ(store_.ValueOf(kUser), kA);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  ExpectNothingPending();
}

TEST_F(AlternatingRotationTest, UnknownUserChangesNothing) {
  store_.Put(kUser, "someone_else");
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("names neither role app nor app_b")));
  EXPECT_THAT(target_.calls, ElementsAre());
  EXPECT_EQ(store_.ValueOf(kPw), kOld);
  ExpectNothingPending();
}

TEST_F(AlternatingRotationTest, WrongCurrentPasswordChangesNothing) {
  target_.passwords[kA] = "changed by hand";
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnauthenticated,
                                     HasSubstr("nothing was changed")));
  EXPECT_THAT(target_.calls, ElementsAre("login app"));
  EXPECT_FALSE(store_.Has(kUser));
  ExpectNothingPending();
  ExpectNoCanary(out.status());
}

TEST_F(AlternatingRotationTest, RefusesWhileAPendingUserExists) {
  store_.Put("POSTGRES_USER__PENDING", kB);
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_THAT(target_.calls, ElementsAre());
  EXPECT_EQ(store_.ValueOf(kPw), kOld);
}

TEST_F(AlternatingRotationTest, RefusedSetRollsBackAndKeepsTheActivePair) {
  target_.set_error = absl::PermissionDeniedError("fake: must have CREATEROLE");
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kPermissionDenied, ::testing::_));
  EXPECT_EQ(target_.passwords[kA], kOld);
  EXPECT_EQ(store_.ValueOf(kPw), kOld);
  EXPECT_EQ(UserNow(), kA);
  ExpectNothingPending();
  ExpectNoCanary(out.status());
}

TEST_F(AlternatingRotationTest, SetThatLandedDespiteAnErrorRollsForward) {
  target_.set_error = absl::InternalError("fake: odd reply after COMMIT");
  target_.set_then_fail = true;
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(store_.ValueOf(kUser), kB);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  ExpectConsistent();
  ExpectNothingPending();
}

// A timeout or a lost connection while setting the idle role's password: the
// server may still commit it, so nothing is rolled back; a resume settles it.
TEST_F(AlternatingRotationTest, UnknownSetOutcomeKeepsEverythingThenResumeSettlesIt) {
  for (const absl::Status& error :
       {absl::DeadlineExceededError("fake server: statement timeout"),
        absl::UnavailableError("fake server: connection lost")}) {
    for (bool commits_later : {true, false}) {
      SCOPED_TRACE(absl::StrCat(error.ToString(), commits_later ? " commits" : " never lands"));
      target_.passwords = {{kA, kOld}};
      store_.Put(kPw, kOld);
      store_.Put(kUser, kA);
      const std::string user0 = kA, idle = kB;
      target_.set_error = error;
      AlternatingRotation r = Rotation();
      absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
      EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("outcome is unknown")));
      EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
      EXPECT_TRUE(JournalExists());
      EXPECT_TRUE(store_.Has("POSTGRES_PASSWORD__PENDING"));
      EXPECT_EQ(UserNow(), user0);
      ExpectNoCanary(out.status());

      target_.set_error = absl::OkStatus();
      if (commits_later) target_.passwords[idle] = kNew;
      AlternatingRotation again = Rotation();
      absl::StatusOr<Outcome> resumed = ResumeAlternating(again);
      ASSERT_THAT(resumed.status(), IsOk());
      EXPECT_EQ(*resumed, commits_later ? Outcome::kRolledForward : Outcome::kRolledBack);
      EXPECT_EQ(UserNow(), commits_later ? idle : user0);
      ExpectConsistent();
      ExpectNothingPending();
    }
  }
}

// A crash at every step boundary, then a resume: the stored pair logs in,
// nothing is left pending, and the previously active role kept its password.
TEST_F(AlternatingRotationTest, CrashAtEveryStepThenResumeLeavesAConsistentPair) {
  for (const char* step :
       {"journal", "pending", "alter_role", "verify", "promote_password", "promote", "sync",
        "delete_pending"}) {
    SCOPED_TRACE(step);
    Revive();
    for (const char* n : {kUser, "POSTGRES_USER__PENDING", "POSTGRES_PASSWORD__PENDING"}) {
      (void)store_.Delete(infisical::SecretScope{}, n);
    }
    unlink(JournalPath().c_str());
    store_.Put(kPw, kOld);
    target_.passwords = {{kA, kOld}};
    steps_.clear();
    synced_.clear();
    die_at_ = step;
    Revive();
    {
      AlternatingRotation r = Rotation();
      absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
      ExpectNoCanary(out.status());
    }
    EXPECT_EQ(steps_.back(), step);
    Revive();
    die_at_.clear();
    AlternatingRotation r = Rotation();
    absl::StatusOr<Outcome> resumed = ResumeAlternating(r);
    ASSERT_THAT(resumed.status(), IsOk());
    ExpectConsistent();
    ExpectNothingPending();
    EXPECT_EQ(target_.passwords[kA], kOld);
    // After the set landed the resume rolls forward; before, back (or the
    // failed store write already undid it).
    const bool landed = std::string(step) != "journal" && std::string(step) != "pending";
    EXPECT_EQ(UserNow(), landed ? kB : kA);
    EXPECT_EQ(store_.ValueOf(kPw), landed ? kNew : kOld);
    ExpectNoCanary(resumed.status());
  }
}

TEST_F(AlternatingRotationTest, ResumeWithOnlyThePendingSecretsRollsForward) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  store_.Put("POSTGRES_USER__PENDING", kB);
  target_.passwords[kB] = kNew;
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumeAlternating(r);
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRolledForward);
  EXPECT_EQ(store_.ValueOf(kUser), kB);
  EXPECT_EQ(store_.ValueOf(kPw), kNew);
  ExpectNothingPending();
}

TEST_F(AlternatingRotationTest, ResumeWhenNoPairLogsInChangesNothing) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  store_.Put("POSTGRES_USER__PENDING", kB);
  target_.passwords[kA] = "changed by hand";
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumeAlternating(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_TRUE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_TRUE(store_.Has("POSTGRES_USER__PENDING"));
  EXPECT_EQ(store_.ValueOf(kPw), kOld);
  ExpectNoCanary(out.status());
}

TEST_F(AlternatingRotationTest, ResumeWithServerDownKeepsEverything) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  store_.Put("POSTGRES_USER__PENDING", kB);
  dead_ = true;
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumeAlternating(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  dead_ = false;
  EXPECT_TRUE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_TRUE(store_.Has("POSTGRES_USER__PENDING"));
}

TEST_F(AlternatingRotationTest, ResumeRefusesASingleUserJournal) {
  Journal j;
  j.secret_name = kPw;
  j.step = v1::RotationJournal::PENDING_STORED;
  j.old_value = SecretValue(std::string(kOld));
  j.new_value = SecretValue(std::string(kNew));
  j.strategy = v1::SINGLE_USER;
  ASSERT_THAT(WriteJournal(fs_, JournalPath(), j), IsOk());
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumeAlternating(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("SINGLE_USER")));
  EXPECT_THAT(target_.calls, ElementsAre());
  EXPECT_TRUE(JournalExists());
  ExpectNoCanary(out.status());
}

TEST_F(AlternatingRotationTest, ResumeWithNothingPendingDoesNothing) {
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumeAlternating(r);
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kNothingPending);
  EXPECT_THAT(target_.calls, ElementsAre());
}

TEST_F(AlternatingRotationTest, FailedSyncKeepsTheJournalForResume) {
  sync_result_ = absl::UnavailableError("fake sync: infisical down");
  AlternatingRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotateAlternating(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("--resume")));
  EXPECT_TRUE(JournalExists());
  sync_result_ = absl::OkStatus();
  AlternatingRotation r2 = Rotation();
  absl::StatusOr<Outcome> resumed = ResumeAlternating(r2);
  ASSERT_THAT(resumed.status(), IsOk());
  EXPECT_EQ(*resumed, Outcome::kRolledForward);
  ExpectConsistent();
  ExpectNothingPending();
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

// The password rotation step machine against fakes (an in-memory target and
// store, real journal files): the order of the steps, every refusal that must
// change nothing, rollback and roll forward, and canaries.
#include "lib/rotate/password_rotation.h"

#include <sys/stat.h>
#include <unistd.h>

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
constexpr char kName[] = "POSTGRES_PASSWORD";

// A role whose password is a string; records what happens to it.
class FakeTarget : public PasswordTarget {
 public:
  std::string password = kOld;
  absl::Status down;           // returned by every call when not OK
  absl::Status apply_error;    // returned by Apply (after changing, if apply_then_fail)
  bool apply_then_fail = false;
  std::vector<std::string> calls;

  std::string Describe() const override { return "fake role r"; }
  absl::Status CanLogIn(const SecretValue& pw) override {
    calls.push_back("login");
    if (!down.ok()) return down;
    if (pw == SecretValue(password)) return absl::OkStatus();
    return absl::UnauthenticatedError("fake role r: password refused");
  }
  absl::Status Apply(const SecretValue& current, const SecretValue& next) override {
    calls.push_back("apply");
    if (!down.ok()) return down;
    if (current != SecretValue(password)) return absl::UnauthenticatedError("fake: login refused");
    if (!apply_error.ok() && !apply_then_fail) return apply_error;
    // The test's new value is kNew; any other is recorded as "other".
    password = next == SecretValue(std::string(kNew)) ? kNew : "other";
    return apply_error;
  }
};

class PasswordRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    store_.Put(kName, kOld);
  }

  PasswordRotation Rotation() {
    return PasswordRotation{fs_,     clock_,  log_,    JournalPath(), geteuid(), side_, target_,
                            [this] {
                              synced_values_.push_back(store_.ValueOf(kName));
                              return sync_result_;
                            },
                            [this](absl::string_view step) { steps_.emplace_back(step); }};
  }
  std::string JournalPath() const { return dir_ + "/POSTGRES_PASSWORD.journal"; }
  bool JournalExists() const {
    struct stat st;
    return stat(JournalPath().c_str(), &st) == 0;
  }
  // Nothing changed: the old value everywhere, nothing pending.
  void ExpectUnchanged() {
    EXPECT_EQ(target_.password, kOld);
    EXPECT_EQ(store_.ValueOf(kName), kOld);
    EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
    EXPECT_FALSE(JournalExists());
  }
  void ExpectNoCanary(const absl::Status& s) {
    for (const char* v : {kOld, kNew}) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(v)));
      EXPECT_THAT(log_.Joined(), Not(HasSubstr(v)));
    }
  }

  std::string dir_;
  RealFilesystem fs_;
  FakeClock clock_;
  CapturingLogSink log_;
  FakeSecretStore store_;
  StoreSide side_{store_, infisical::SecretScope{}, kName};
  FakeTarget target_;
  absl::Status sync_result_;
  std::vector<std::string> synced_values_;
  std::vector<std::string> steps_;
};

TEST_F(PasswordRotationTest, RotatesInOrderAndLeavesNothingBehind) {
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRotated);
  EXPECT_EQ(target_.password, kNew);
  EXPECT_EQ(store_.ValueOf(kName), kNew);
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_FALSE(JournalExists());
  EXPECT_THAT(steps_, ElementsAre("journal", "pending", "alter_role", "verify", "promote",
                                  "sync", "delete_pending"));
  EXPECT_THAT(synced_values_, ElementsAre(kNew));  // synced once, after the promotion
  EXPECT_THAT(target_.calls, ElementsAre("login", "apply", "login"));
  ExpectNoCanary(absl::OkStatus());
}

TEST_F(PasswordRotationTest, RefusesWhileAPendingSecretExists) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string("canaryThird333")));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("--resume")));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_EQ(target_.password, kOld);
  EXPECT_TRUE(target_.calls.empty());
}

TEST_F(PasswordRotationTest, RefusesWhileAJournalExists) {
  rotate::Journal j;
  j.secret_name = kName;
  j.step = v1::RotationJournal::GENERATED;
  j.old_value = SecretValue(std::string(kOld));
  j.new_value = SecretValue(std::string(kNew));
  ASSERT_THAT(WriteJournal(fs_, JournalPath(), j), IsOk());
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string("canaryThird333")));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_TRUE(target_.calls.empty());
}

TEST_F(PasswordRotationTest, WrongCurrentPasswordChangesNothing) {
  target_.password = "canaryDbHasAnother9";
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("nothing was changed")));
  EXPECT_EQ(target_.password, "canaryDbHasAnother9");
  EXPECT_EQ(store_.ValueOf(kName), kOld);
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_FALSE(JournalExists());
  ExpectNoCanary(out.status());
}

TEST_F(PasswordRotationTest, TargetDownChangesNothing) {
  target_.down = absl::UnavailableError("fake role r: connection refused");
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("fake role r")));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitTempFail);
  target_.down = absl::OkStatus();
  ExpectUnchanged();
}

TEST_F(PasswordRotationTest, StoreDownBeforePendingChangesNothing) {
  store_.fail_next = {absl::OkStatus(), absl::OkStatus(),  // Get pending, Get current
                      absl::UnavailableError("infisical down"),  // Update pending
                      absl::UnavailableError("infisical down")};
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_FALSE(out.ok());
  store_.fail_next.clear();
  ExpectUnchanged();
}

TEST_F(PasswordRotationTest, RefusedAlterRollsBackAndReturnsTheError) {
  target_.apply_error = absl::PermissionDeniedError("fake role r: permission denied");
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("fake role r")));
  ExpectUnchanged();
  ExpectNoCanary(out.status());
}

TEST_F(PasswordRotationTest, AlterThatLandedDespiteAnErrorRollsForward) {
  target_.apply_error = absl::InternalError("fake: odd reply after the statement");
  target_.apply_then_fail = true;
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(target_.password, kNew);
  EXPECT_EQ(store_.ValueOf(kName), kNew);
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_FALSE(JournalExists());
}

// A timeout or a lost connection during ALTER ROLE: the server may still
// commit it later, so nothing is rolled back; a resume settles it both ways.
TEST_F(PasswordRotationTest, UnknownAlterOutcomeKeepsEverythingThenResumeSettlesIt) {
  for (const absl::Status& error :
       {absl::DeadlineExceededError("fake role r: statement timeout"),
        absl::UnavailableError("fake role r: connection lost")}) {
    for (bool commits_later : {true, false}) {
      SCOPED_TRACE(absl::StrCat(error.ToString(), commits_later ? " commits" : " never lands"));
      ASSERT_THAT(ClearJournal(fs_, JournalPath()), IsOk());
      store_.Put(kName, kOld);
      target_.password = kOld;
      target_.apply_error = error;
      PasswordRotation r = Rotation();
      absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
      EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("outcome is unknown")));
      EXPECT_THAT(std::string(out.status().message()), HasSubstr("rotate --resume"));
      EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
      EXPECT_TRUE(JournalExists());
      EXPECT_EQ(store_.ValueOf("POSTGRES_PASSWORD__PENDING"), kNew);
      EXPECT_EQ(store_.ValueOf(kName), kOld);
      ExpectNoCanary(out.status());

      target_.apply_error = absl::OkStatus();
      if (commits_later) target_.password = kNew;
      PasswordRotation again = Rotation();
      absl::StatusOr<Outcome> resumed = ResumePassword(again);
      ASSERT_THAT(resumed.status(), IsOk());
      EXPECT_EQ(*resumed, commits_later ? Outcome::kRolledForward : Outcome::kRolledBack);
      EXPECT_EQ(store_.ValueOf(kName), target_.password);
      EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
      EXPECT_FALSE(JournalExists());
    }
  }
}

TEST_F(PasswordRotationTest, ResumeRefusesAnAlternatingUsersJournal) {
  Journal j;
  j.secret_name = kName;
  j.step = v1::RotationJournal::PENDING_STORED;
  j.old_value = SecretValue(std::string(kOld));
  j.new_value = SecretValue(std::string(kNew));
  j.strategy = v1::ALTERNATING_USERS;
  j.active_user = "r";
  j.target_user = "r_b";
  ASSERT_THAT(WriteJournal(fs_, JournalPath(), j), IsOk());
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("ALTERNATING_USERS")));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_TRUE(target_.calls.empty());
  EXPECT_TRUE(JournalExists());
  EXPECT_EQ(store_.ValueOf(kName), kOld);
  ExpectNoCanary(out.status());
}

TEST_F(PasswordRotationTest, ResumeWithOnlyThePendingSecretRollsForward) {
  // This host was lost after ALTER ROLE: no journal, Infisical has both.
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  target_.password = kNew;
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRolledForward);
  EXPECT_EQ(store_.ValueOf(kName), kNew);
  EXPECT_FALSE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_THAT(synced_values_, ElementsAre(kNew));
}

TEST_F(PasswordRotationTest, ResumeBeforeTheAlterRollsBack) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kRolledBack);
  ExpectUnchanged();
  EXPECT_THAT(synced_values_, ElementsAre(kOld));
}

TEST_F(PasswordRotationTest, ResumeWhenNoValueLogsInChangesNothing) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  target_.password = "canarySomethingElse4";
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("neither the new nor the old value logs in")));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitRotationPending);
  EXPECT_TRUE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_EQ(store_.ValueOf(kName), kOld);
  EXPECT_TRUE(synced_values_.empty());
  ExpectNoCanary(out.status());
}

TEST_F(PasswordRotationTest, ResumeWithTargetDownKeepsEverything) {
  store_.Put("POSTGRES_PASSWORD__PENDING", kNew);
  target_.down = absl::UnavailableError("fake role r: connection refused");
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("probe")));
  EXPECT_TRUE(store_.Has("POSTGRES_PASSWORD__PENDING"));
  EXPECT_TRUE(synced_values_.empty());
}

TEST_F(PasswordRotationTest, ResumeWithNothingPendingDoesNothing) {
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = ResumePassword(r);
  ASSERT_THAT(out.status(), IsOk());
  EXPECT_EQ(*out, Outcome::kNothingPending);
  EXPECT_TRUE(target_.calls.empty());
  EXPECT_TRUE(synced_values_.empty());
}

TEST_F(PasswordRotationTest, FailedSyncKeepsTheJournalForResume) {
  sync_result_ = WithExitCode(absl::UnavailableError("sync: infisical down"), kExitTempFail);
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_THAT(out.status(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("--resume")));
  EXPECT_TRUE(JournalExists());
  EXPECT_EQ(target_.password, kNew);
  sync_result_ = absl::OkStatus();
  PasswordRotation again = Rotation();
  absl::StatusOr<Outcome> resumed = ResumePassword(again);
  ASSERT_THAT(resumed.status(), IsOk());
  EXPECT_EQ(*resumed, Outcome::kRolledForward);
  EXPECT_FALSE(JournalExists());
}

TEST_F(PasswordRotationTest, FailedOnChangeCommandStillFinishesTheRotation) {
  sync_result_ = WithExitCode(absl::UnknownError("sync: on-change command failed"),
                              kExitOnChangeFailed);
  PasswordRotation r = Rotation();
  absl::StatusOr<Outcome> out = RotatePassword(r, SecretValue(std::string(kNew)));
  EXPECT_EQ(ExitCodeFromStatus(out.status()), kExitOnChangeFailed);
  EXPECT_FALSE(JournalExists());  // the sync core retries the command later
  EXPECT_EQ(store_.ValueOf(kName), kNew);
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

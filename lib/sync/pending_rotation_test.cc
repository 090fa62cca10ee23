// CheckNoRotationPending: every way a rotation is pending (journal, old-style
// journal, <NAME>__PENDING) stops a sync with exit 80, whether the state
// folder is listed or, when it cannot be, each journal is looked at.
#include "lib/sync/pending_rotation.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_filesystem.h"

namespace secretsync {
namespace sync {
namespace {

infisical::SecretRecord Record(const std::string& name) {
  infisical::SecretRecord r;
  r.name = name;
  return r;
}

class PendingRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", ::testing::UnitTest::GetInstance()
                                                                ->current_test_info()
                                                                ->name());
    ASSERT_TRUE(real_.MakeDir(root_, 0700).ok());
    d_.config_path = root_ + "/secretsync.textproto";
    d_.config.set_output_path(root_ + "/.env");
    for (int i = 0; i < 100; ++i) names_.push_back(absl::StrCat("KEY_", i));
    for (const std::string& n : names_) records_.push_back(Record(n));
  }

  void MakeStateDir() { ASSERT_TRUE(real_.MakeDir(config::RotationStateDir(d_), 0700).ok()); }

  void Touch(const std::string& path) {
    auto f = real_.CreateTempFile(config::RotationStateDir(d_), "t");
    ASSERT_TRUE(f.ok());
    const std::string temp = (*f)->path();
    ASSERT_TRUE((*f)->Close().ok());
    ASSERT_TRUE(real_.Rename(temp, path).ok());
  }

  absl::Status Check(Filesystem& fs) { return CheckNoRotationPending(d_, names_, records_, fs); }

  RealFilesystem real_;
  FakeFilesystem fake_{real_};
  std::string root_;
  config::Deployment d_;
  std::vector<std::string> names_;
  std::vector<infisical::SecretRecord> records_;
};

TEST_F(PendingRotationTest, NothingPendingWithoutAStateFolder) {
  EXPECT_TRUE(Check(fake_).ok());
}

TEST_F(PendingRotationTest, NothingPendingInAnEmptyStateFolderAndNoLstatPerName) {
  MakeStateDir();
  EXPECT_TRUE(Check(fake_).ok());
  for (const std::string& op : fake_.op_names()) EXPECT_NE(op, "stat");
}

TEST_F(PendingRotationTest, AJournalIsPending) {
  MakeStateDir();
  Touch(config::RotationJournalPath(d_, "KEY_57"));
  const absl::Status s = Check(fake_);
  EXPECT_EQ(ExitCodeFromStatus(s), kExitRotationPending);
  EXPECT_NE(s.message().find("a rotation of KEY_57 is pending (journal "), std::string::npos)
      << s.message();
}

TEST_F(PendingRotationTest, AnOldStyleJournalIsPending) {
  MakeStateDir();
  Touch(config::LegacyRotationJournalPath(d_, "KEY_3"));
  EXPECT_EQ(ExitCodeFromStatus(Check(fake_)), kExitRotationPending);
}

TEST_F(PendingRotationTest, AJournalOfANameNotRenderedIsNot) {
  MakeStateDir();
  Touch(config::RotationJournalPath(d_, "OTHER"));
  EXPECT_TRUE(Check(fake_).ok());
}

TEST_F(PendingRotationTest, APendingRecordIsPending) {
  records_.push_back(Record("KEY_99__PENDING"));
  const absl::Status s = Check(fake_);
  EXPECT_EQ(ExitCodeFromStatus(s), kExitRotationPending);
  EXPECT_NE(s.message().find("KEY_99__PENDING exists in Infisical"), std::string::npos)
      << s.message();
}

TEST_F(PendingRotationTest, AnUnreadableStateFolderFallsBackToEachJournal) {
  // A 0711 folder: its journals can be lstat'ed but it cannot be listed.
  MakeStateDir();
  Touch(config::RotationJournalPath(d_, "KEY_42"));
  fake_.FailOp("list_dir", absl::PermissionDeniedError("list"));
  EXPECT_EQ(ExitCodeFromStatus(Check(fake_)), kExitRotationPending);
}

TEST_F(PendingRotationTest, AnotherListingErrorIsReportedByTheLstat) {
  MakeStateDir();
  fake_.FailOp("list_dir", absl::InternalError("list"));
  fake_.FailOp("stat", absl::InternalError("EIO"));
  EXPECT_EQ(Check(fake_).code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace sync
}  // namespace secretsync

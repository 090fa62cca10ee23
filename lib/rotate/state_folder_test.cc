// OpenStateFolder against real folders (the test runs as root, so it can
// hand a folder to another user): creation 0700, refusals, the stale temp
// files of a crashed journal write, and the old-style journal.
#include "lib/rotate/state_folder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace rotate {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

class StateFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
    mkdir(dir_.c_str(), 0700);
    d_.config_path = dir_ + "/config.textproto";
    d_.config.set_output_path(dir_ + "/.env");
  }
  absl::Status Open() { return OpenStateFolder(fs_, d_, {"POSTGRES_PASSWORD"}, log_); }
  std::string State() const { return config::RotationStateDir(d_); }
  static bool Exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
  }

  std::string dir_;
  config::Deployment d_;
  RealFilesystem fs_;
  CapturingLogSink log_;
};

TEST_F(StateFolderTest, CreatesTheFolder0700) {
  ASSERT_THAT(Open(), IsOk());
  struct stat st;
  ASSERT_EQ(stat(State().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_THAT(Open(), IsOk());  // again: it exists
}

TEST_F(StateFolderTest, RemovesTheTempFilesOfACrashedJournalWriteOnly) {
  ASSERT_THAT(Open(), IsOk());
  const std::string journal = config::RotationJournalPath(d_, "POSTGRES_PASSWORD");
  const std::string base = journal.substr(journal.rfind('/') + 1);
  const std::string stale = absl::StrCat(State(), "/.", base, ".secretsync-tmp-AbC123");
  config::Deployment other = d_;
  other.config.set_output_path(dir_ + "/.env.other");
  const std::string others = config::RotationJournalPath(other, "POSTGRES_PASSWORD");
  const std::string others_temp = absl::StrCat(
      State(), "/.", others.substr(others.rfind('/') + 1), ".secretsync-tmp-XyZ789");
  std::ofstream(stale) << "half a journal";
  std::ofstream(others_temp) << "another deployment's write in progress";
  ASSERT_THAT(Open(), IsOk());
  EXPECT_FALSE(Exists(stale));
  EXPECT_TRUE(Exists(others_temp));
}

TEST_F(StateFolderTest, RefusesAFolderOwnedByAnotherUser) {
  ASSERT_THAT(Open(), IsOk());
  ASSERT_EQ(chown(State().c_str(), 65534, 65534), 0);
  absl::Status s = Open();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chown")));
  EXPECT_THAT(std::string(s.message()), HasSubstr(State()));
  EXPECT_EQ(ExitCodeFromStatus(s), kExitConfig);
  ASSERT_EQ(chown(State().c_str(), geteuid(), getegid()), 0);
  EXPECT_THAT(Open(), IsOk());
}

TEST_F(StateFolderTest, RefusesAGroupWritableFolderAndALink) {
  ASSERT_THAT(Open(), IsOk());
  chmod(State().c_str(), 0770);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 700")));
  chmod(State().c_str(), 0700);
  d_.config.mutable_rotation()->set_state_dir(dir_ + "/link");
  ASSERT_EQ(symlink(State().c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a folder")));
}

TEST_F(StateFolderTest, RefusesAnOldStyleJournalNamingWhereToMoveIt) {
  ASSERT_THAT(Open(), IsOk());
  const std::string legacy = State() + "/POSTGRES_PASSWORD.journal";
  std::ofstream(legacy) << "old";
  absl::Status s = Open();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(legacy)));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr(config::RotationJournalPath(d_, "POSTGRES_PASSWORD")));
  EXPECT_EQ(ExitCodeFromStatus(s), kExitRotationPending);
  EXPECT_TRUE(Exists(legacy));
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

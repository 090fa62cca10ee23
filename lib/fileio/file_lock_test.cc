// Tests for AcquireLock with real flocks (two descriptors in one process) and a FakeClock.
#include "lib/fileio/file_lock.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace fileio {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::Each;
using ::testing::IsEmpty;
using ::testing::Le;

std::string LockPath(const std::string& name) {
  std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), name);
  ::mkdir(dir.c_str(), 0700);
  return JoinPath(dir, ".env.lock");
}

TEST(FileLockTest, FreeLockIsTakenWithoutSleepingAndCreated0600) {
  RealFilesystem fs;
  FakeClock clock;
  std::string path = LockPath("free");
  mode_t old = ::umask(0);
  auto lock = AcquireLock(fs, clock, path, absl::Seconds(30));
  ::umask(old);
  ASSERT_THAT(lock, IsOk());
  EXPECT_EQ(lock->path(), path);
  EXPECT_THAT(clock.sleeps(), IsEmpty());
  auto info = fs.Stat(path);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->mode, 0600u);
}

TEST(FileLockTest, HeldLockTimesOutAfterWaitWithUnavailable) {
  RealFilesystem fs;
  FakeClock clock;
  std::string path = LockPath("held");
  auto first = AcquireLock(fs, clock, path, absl::ZeroDuration());
  ASSERT_THAT(first, IsOk());
  absl::Time start = clock.TimeNow();
  EXPECT_THAT(AcquireLock(fs, clock, path, absl::Seconds(30)),
              StatusIs(absl::StatusCode::kUnavailable,
                       "lock " + path + " is held by another secretsync run (waited 30s)"));
  EXPECT_EQ(clock.TimeNow() - start, absl::Seconds(30));
  EXPECT_THAT(clock.sleeps(), Each(Le(kLockPollInterval)));
}

TEST(FileLockTest, ReleasingLetsTheNextRunIn) {
  RealFilesystem fs;
  FakeClock clock;
  std::string path = LockPath("release");
  {
    auto first = AcquireLock(fs, clock, path, absl::ZeroDuration());
    ASSERT_THAT(first, IsOk());
    EXPECT_THAT(AcquireLock(fs, clock, path, absl::ZeroDuration()),
                StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("held")));
    FileLock moved = std::move(first).value();  // moving keeps it held
    EXPECT_THAT(AcquireLock(fs, clock, path, absl::ZeroDuration()),
                StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("held")));
  }
  EXPECT_THAT(AcquireLock(fs, clock, path, absl::ZeroDuration()), IsOk());
}

TEST(FileLockTest, OtherErrorsReturnAtOnceWithoutPolling) {
  RealFilesystem real;
  FakeFilesystem fs(real);
  FakeClock clock;
  fs.FailOp("lock", absl::PermissionDeniedError("open lock file /x: Permission denied"));
  EXPECT_THAT(AcquireLock(fs, clock, LockPath("denied"), absl::Seconds(30)),
              StatusIs(absl::StatusCode::kPermissionDenied, ::testing::HasSubstr("/x")));
  EXPECT_THAT(clock.sleeps(), IsEmpty());
}

}  // namespace
}  // namespace fileio
}  // namespace secretsync

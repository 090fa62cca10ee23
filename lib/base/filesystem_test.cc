// Tests for RealFilesystem on real files under TEST_TMPDIR.
#include "lib/base/filesystem.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

std::string FreshDir(const std::string& name) {
  std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), name);
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

TEST(RealFilesystemTest, TempFileIs0600EvenUnderUmask000) {
  std::string dir = FreshDir("umask");
  mode_t old = ::umask(0);
  RealFilesystem fs;
  auto file = fs.CreateTempFile(dir, ".env.tmp-");
  ::umask(old);
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT(BaseName((*file)->path()), StartsWith(".env.tmp-"));
  auto info = fs.Stat((*file)->path());
  ASSERT_THAT(info, IsOk());
  EXPECT_TRUE(info->exists);
  EXPECT_EQ(info->mode, 0600u);
}

TEST(RealFilesystemTest, WriteSyncRenameAndReadBack) {
  std::string dir = FreshDir("rw");
  RealFilesystem fs;
  auto file = fs.CreateTempFile(dir, "t-");
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Append("hello\n"), IsOk());
  ASSERT_THAT((*file)->Chmod(0640), IsOk());
  ASSERT_THAT((*file)->Chown(::getuid(), ::getgid()), IsOk());
  ASSERT_THAT((*file)->Sync(), IsOk());
  ASSERT_THAT((*file)->Close(), IsOk());
  std::string target = JoinPath(dir, "out");
  ASSERT_THAT(fs.Rename((*file)->path(), target), IsOk());
  ASSERT_THAT(fs.SyncDir(dir), IsOk());
  auto content = fs.ReadFile(target, 100);
  ASSERT_THAT(content, IsOk());
  EXPECT_EQ(*content, "hello\n");
  auto info = fs.Stat(target);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->mode, 0640u);
  EXPECT_EQ(info->size, 6u);
  EXPECT_TRUE(info->is_regular);
  EXPECT_THAT(fs.ListDir(dir), ::secretsync::testing::IsOkAndHolds(UnorderedElementsAre("out")));
}

TEST(RealFilesystemTest, ReadFileEnforcesSizeCapAndReportsMissing) {
  std::string dir = FreshDir("cap");
  RealFilesystem fs;
  auto file = fs.CreateTempFile(dir, "big-");
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT((*file)->Append(std::string(100, 'x')), IsOk());
  EXPECT_THAT(fs.ReadFile((*file)->path(), 99),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("larger than 99")));
  EXPECT_THAT(fs.ReadFile(JoinPath(dir, "missing"), 10),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  EXPECT_THAT(fs.Unlink(JoinPath(dir, "missing")), StatusIs(absl::StatusCode::kNotFound, HasSubstr("unlink")));
  auto info = fs.Stat(JoinPath(dir, "missing"));
  ASSERT_THAT(info, IsOk());
  EXPECT_FALSE(info->exists);
}

TEST(RealFilesystemTest, SecondLockOnAnotherDescriptorIsUnavailableUntilReleased) {
  std::string dir = FreshDir("lock");
  RealFilesystem fs;
  std::string path = JoinPath(dir, ".env.lock");
  auto first = fs.TryLock(path);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(fs.TryLock(path), StatusIs(absl::StatusCode::kUnavailable, HasSubstr(path)));
  first->reset();
  EXPECT_THAT(fs.TryLock(path), IsOk());
  auto info = fs.Stat(path);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->mode & 077, 0u);
}

// Runs as root (CI does): giving a file away needs it.
TEST(RealFilesystemTest, LockFileIsGivenToTheOwnerUnlessItHasOtherLinks) {
  ASSERT_EQ(::geteuid(), 0u) << "giving files away needs root, as CI runs";
  std::string dir = FreshDir("lock_owner");
  RealFilesystem fs;
  const FileOwner nobody{65534, 65534};
  std::string path = JoinPath(dir, ".env.lock");
  {
    auto created = fs.TryLock(path, nobody);
    ASSERT_THAT(created, IsOk());
  }
  auto info = fs.Stat(path);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->uid, 65534u);
  EXPECT_EQ(info->gid, 65534u);
  EXPECT_EQ(info->mode, 0600u);

  // A hard link planted under the lock's name keeps its owner.
  std::string other = JoinPath(dir, "roots-file");
  std::string linked = JoinPath(dir, "linked.lock");
  ASSERT_THAT(fs.TryLock(other), IsOk());
  ASSERT_EQ(::link(other.c_str(), linked.c_str()), 0);
  ASSERT_THAT(fs.TryLock(linked, nobody), IsOk());
  info = fs.Stat(other);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->uid, 0u);
}

TEST(RealFilesystemTest, LockFileThatIsAFifoIsRefusedWithoutBlocking) {
  std::string dir = FreshDir("lock_fifo");
  RealFilesystem fs;
  std::string path = JoinPath(dir, ".env.lock");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_THAT(fs.TryLock(path),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a regular file")));
}

TEST(PathTest, DirNameBaseNameJoinPath) {
  EXPECT_EQ(DirName("/a/b/.env"), "/a/b");
  EXPECT_EQ(DirName(".env"), ".");
  EXPECT_EQ(DirName("/.env"), "/");
  EXPECT_EQ(BaseName("/a/b/.env"), ".env");
  EXPECT_EQ(BaseName(".env"), ".env");
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
}

}  // namespace
}  // namespace secretsync

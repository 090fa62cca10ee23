// The rotation journal on real files under TEST_TMPDIR: round trip, refusals
// (symlink, owner, mode, size), every truncation and byte flip detected, and
// a failed write at any step leaves the previous journal as it was.
#include "lib/rotate/journal.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace rotate {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::secretsync::v1::RotationJournal;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOldCanary[] = "CANARY-journal-old-2a61";
constexpr char kNewCanary[] = "CANARY-journal-new-8f03";

std::string FreshDir(const std::string& name) {
  std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), name);
  ::mkdir(dir.c_str(), 0700);
  RealFilesystem fs;
  auto names = fs.ListDir(dir);
  if (names.ok()) {
    for (const std::string& n : *names) fs.Unlink(JoinPath(dir, n)).IgnoreError();
  }
  return dir;
}

Journal Sample(absl::string_view suffix = "") {
  Journal j;
  j.secret_name = "POSTGRES_PASSWORD";
  j.step = RotationJournal::PENDING_STORED;
  j.old_value = SecretValue(absl::StrCat(kOldCanary, suffix));
  j.new_value = SecretValue(absl::StrCat(kNewCanary, suffix));
  j.started = absl::FromUnixMicros(1764658000123456);
  j.updated = absl::FromUnixMicros(1764658001000000);
  j.strategy = secretsync::v1::ALTERNATING_USERS;
  j.active_user = "glitchtip_maintainer";
  j.target_user = "glitchtip_maintainer_b";
  return j;
}

void WriteRaw(const std::string& path, const std::string& bytes, mode_t mode = 0600) {
  ::unlink(path.c_str());
  std::ofstream(path, std::ios::binary) << bytes;
  ::chmod(path.c_str(), mode);
}

std::string ReadRaw(const std::string& path) {
  RealFilesystem fs;
  auto s = fs.ReadFile(path, 1 << 20);
  return s.ok() ? *s : "";
}

void ExpectNoCanary(const absl::Status& s) {
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
}

TEST(JournalTest, RoundTripsEveryFieldIn0600File) {
  std::string path = JoinPath(FreshDir("roundtrip"), "rotation.journal");
  RealFilesystem fs;
  mode_t old = ::umask(0);
  absl::Status w = WriteJournal(fs, path, Sample());
  ::umask(old);
  ASSERT_THAT(w, IsOk());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  auto read = ReadJournal(fs, path, ::geteuid());
  ASSERT_THAT(read, IsOk());
  ASSERT_TRUE(read->has_value());
  const Journal& j = **read;
  Journal want = Sample();
  EXPECT_EQ(j.secret_name, "POSTGRES_PASSWORD");
  EXPECT_EQ(j.step, RotationJournal::PENDING_STORED);
  EXPECT_EQ(j.old_value, want.old_value);
  EXPECT_EQ(j.new_value, want.new_value);
  EXPECT_EQ(j.started, want.started);
  EXPECT_EQ(j.updated, want.updated);
  EXPECT_EQ(j.strategy, secretsync::v1::ALTERNATING_USERS);
  EXPECT_EQ(j.active_user, "glitchtip_maintainer");
  EXPECT_EQ(j.target_user, "glitchtip_maintainer_b");
}

TEST(JournalTest, MissingIsNulloptAndClearRemovesIt) {
  std::string path = JoinPath(FreshDir("clear"), "rotation.journal");
  RealFilesystem fs;
  auto none = ReadJournal(fs, path, ::geteuid());
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  ASSERT_THAT(WriteJournal(fs, path, Sample()), IsOk());
  ASSERT_THAT(ClearJournal(fs, path), IsOk());
  none = ReadJournal(fs, path, ::geteuid());
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  EXPECT_THAT(ClearJournal(fs, path), IsOk());  // already gone is fine
}

TEST(JournalTest, RefusesSymlinkOtherOwnerOpenModeFolderAndOversize) {
  std::string dir = FreshDir("refuse");
  std::string real = JoinPath(dir, "real.journal");
  RealFilesystem fs;
  ASSERT_THAT(WriteJournal(fs, real, Sample()), IsOk());

  std::string link = JoinPath(dir, "link.journal");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  auto r = ReadJournal(fs, link, ::geteuid());
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a regular file")));

  r = ReadJournal(fs, real, ::geteuid() + 1);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("owned by uid")));

  for (mode_t mode : {0640, 0604, 0660, 0700 | 0004}) {
    ASSERT_EQ(::chmod(real.c_str(), mode), 0);
    r = ReadJournal(fs, real, ::geteuid());
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition,
                            HasSubstr(absl::StrFormat("mode %04o lets group or others", mode))));
  }
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  EXPECT_THAT(ReadJournal(fs, real, ::geteuid()), IsOk());

  std::string sub = JoinPath(dir, "folder.journal");
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  EXPECT_THAT(ReadJournal(fs, sub, ::geteuid()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a regular file")));

  std::string big = JoinPath(dir, "big.journal");
  WriteRaw(big, std::string(kMaxJournalBytes + 1, 'x'));
  EXPECT_THAT(ReadJournal(fs, big, ::geteuid()),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("more than")));
}

TEST(JournalTest, EveryTruncationAndByteFlipIsDetected) {
  std::string dir = FreshDir("corrupt");
  std::string good = JoinPath(dir, "good.journal");
  std::string bad = JoinPath(dir, "bad.journal");
  RealFilesystem fs;
  ASSERT_THAT(WriteJournal(fs, good, Sample()), IsOk());
  const std::string bytes = ReadRaw(good);
  ASSERT_GT(bytes.size(), 40u);
  for (size_t len = 0; len < bytes.size(); ++len) {
    WriteRaw(bad, bytes.substr(0, len));
    auto r = ReadJournal(fs, bad, ::geteuid());
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss, HasSubstr(bad))) << "cut at " << len;
    ExpectNoCanary(r.status());
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x20);
    WriteRaw(bad, flipped);
    auto r = ReadJournal(fs, bad, ::geteuid());
    EXPECT_FALSE(r.ok()) << "flip at " << i;
    ExpectNoCanary(r.status());
  }
  WriteRaw(bad, absl::StrCat("secret_name: \"X\" old_value: \"", kOldCanary, "\"\n"));
  auto r = ReadJournal(fs, bad, ::geteuid());
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  ExpectNoCanary(r.status());
}

TEST(JournalTest, FailedWriteAtAnyStepLeavesPreviousJournal) {
  std::string dir = FreshDir("failsteps");
  std::string path = JoinPath(dir, "rotation.journal");
  RealFilesystem real;
  ASSERT_THAT(WriteJournal(real, path, Sample("-first")), IsOk());
  const std::string before = ReadRaw(path);
  // Count the steps of a successful write, then fail each before the rename.
  FakeFilesystem counting(real);
  ASSERT_THAT(WriteJournal(counting, path, Sample("-first")), IsOk());
  std::vector<std::string> ops = counting.op_names();
  for (int step = 0; step < static_cast<int>(ops.size()); ++step) {
    if (ops[step] == "rename" || ops[step] == "sync_dir") break;
    FakeFilesystem fake(real);
    fake.FailAtStep(step, absl::InternalError("injected"));
    absl::Status s = WriteJournal(fake, path, Sample("-second"));
    EXPECT_FALSE(s.ok()) << ops[step];
    ExpectNoCanary(s);
    EXPECT_EQ(ReadRaw(path), before) << "after failing " << ops[step];
    auto names = real.ListDir(dir);
    ASSERT_THAT(names, IsOk());
    EXPECT_EQ(names->size(), 1u) << "temp file left after failing " << ops[step];
  }
}

TEST(JournalTest, RefusesToWriteAnIncompleteJournal) {
  std::string path = JoinPath(FreshDir("incomplete"), "rotation.journal");
  RealFilesystem fs;
  Journal j = Sample();
  j.secret_name.clear();
  EXPECT_THAT(WriteJournal(fs, path, j), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  HasSubstr("secret name")));
  j = Sample();
  j.step = RotationJournal::STEP_UNSPECIFIED;
  EXPECT_THAT(WriteJournal(fs, path, j), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  HasSubstr("step")));
  j = Sample();
  j.new_value = SecretValue(std::string(kMaxJournalBytes, 'v'));
  EXPECT_THAT(WriteJournal(fs, path, j), StatusIs(absl::StatusCode::kInvalidArgument,
                                                  HasSubstr("more than")));
  struct stat st;
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

// Tests for WriteFileAtomically: step-by-step failure injection on real files
// under TEST_TMPDIR, modes under umask 000, owner before rename, backups.
#include "lib/fileio/atomic_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace fileio {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kCanary[] = "CANARY-5f1d2e-do-not-print";

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

std::string ReadOrDie(const std::string& path) {
  RealFilesystem fs;
  auto content = fs.ReadFile(path, 1 << 20);
  EXPECT_THAT(content, IsOk());
  return content.ok() ? *content : "";
}

uint32_t ModeOf(const std::string& path) {
  RealFilesystem fs;
  auto info = fs.Stat(path);
  EXPECT_THAT(info, IsOk());
  return info.ok() ? info->mode : 0;
}

void Seed(const std::string& path, absl::string_view content, mode_t mode) {
  RealFilesystem fs;
  WriteOptions opts;
  opts.mode = mode;
  ASSERT_THAT(WriteFileAtomically(fs, path, content, opts), IsOk());
}

TEST(AtomicWriterTest, WritesContentWithDefaultMode0600UnderUmask000) {
  std::string dir = FreshDir("basic");
  std::string path = JoinPath(dir, ".env");
  RealFilesystem fs;
  mode_t old = ::umask(0);
  absl::Status s = WriteFileAtomically(fs, path, SecretValue(std::string("A='1'\n")), WriteOptions());
  ::umask(old);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(ReadOrDie(path), "A='1'\n");
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_THAT(fs.ListDir(dir), IsOkAndHolds(ElementsAre(".env")));
}

// Records the mode of the temp file at the moment each byte is written.
class ModeProbe : public RealFilesystem {
 public:
  class File : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> base, std::vector<uint32_t>* modes)
        : base_(std::move(base)), modes_(modes) {}
    const std::string& path() const override { return base_->path(); }
    absl::Status Append(absl::string_view d) override {
      Probe();
      return base_->Append(d);
    }
    absl::Status Chmod(uint32_t m) override { return base_->Chmod(m); }
    absl::Status Chown(uid_t u, gid_t g) override { return base_->Chown(u, g); }
    absl::Status Sync() override {
      Probe();
      return base_->Sync();
    }
    absl::Status Close() override { return base_->Close(); }

   private:
    void Probe() {
      RealFilesystem fs;
      auto info = fs.Stat(path());
      modes_->push_back(info.ok() ? info->mode : 07777);
    }
    std::unique_ptr<WritableFile> base_;
    std::vector<uint32_t>* modes_;
  };
  absl::StatusOr<std::unique_ptr<WritableFile>> CreateTempFile(absl::string_view dir,
                                                               absl::string_view prefix) override {
    auto file = RealFilesystem::CreateTempFile(dir, prefix);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(std::make_unique<File>(std::move(file).value(), &modes));
  }
  std::vector<uint32_t> modes;
};

TEST(AtomicWriterTest, TempFileIsNeverWiderThan0600BeforeFinalChmod) {
  std::string dir = FreshDir("probe");
  ModeProbe fs;
  mode_t old = ::umask(0);
  WriteOptions opts;
  opts.mode = 0640;
  absl::Status s = WriteFileAtomically(fs, JoinPath(dir, ".env"), "x", opts);
  ::umask(old);
  ASSERT_THAT(s, IsOk());
  // At write time 0600; at fsync time (after chown + chmod) the final mode.
  EXPECT_THAT(fs.modes, ElementsAre(0600u, 0640u));
  EXPECT_EQ(ModeOf(JoinPath(dir, ".env")), 0640u);
}

TEST(AtomicWriterTest, OwnerAndModeAreSetBeforeTheRename) {
  std::string dir = FreshDir("order");
  RealFilesystem real;
  FakeFilesystem fs(real);
  WriteOptions opts;
  opts.mode = 0640;
  opts.uid = ::getuid();
  opts.gid = ::getgid();
  ASSERT_THAT(WriteFileAtomically(fs, JoinPath(dir, ".env"), "x", opts), IsOk());
  EXPECT_THAT(fs.op_names(), ElementsAre("create_temp", "write", "chown", "chmod", "sync",
                                         "close", "rename", "sync_dir"));
  EXPECT_THAT(fs.ops()[2], absl::StrCat("chown ", ::getuid(), ":", ::getgid()));
  EXPECT_THAT(fs.ops()[3], "chmod 640");
}

TEST(AtomicWriterTest, PreferredOwnerThatMayNotBeGivenLeavesTheFileItsCreators) {
  std::string dir = FreshDir("preferred");
  RealFilesystem real;
  FakeFilesystem fs(real);
  WriteOptions opts;
  opts.preferred_owner = FileOwner{::getuid(), 0};
  fs.FailOp("chown", absl::PermissionDeniedError("fchown: operation not permitted"));
  ASSERT_THAT(WriteFileAtomically(fs, JoinPath(dir, ".env"), "x", opts), IsOk());
  EXPECT_EQ(ReadOrDie(JoinPath(dir, ".env")), "x");
  // A required owner that is refused still fails the write.
  WriteOptions required;
  required.uid = ::getuid();
  fs.FailOp("chown", absl::PermissionDeniedError("fchown: operation not permitted"), 2);
  EXPECT_THAT(WriteFileAtomically(fs, JoinPath(dir, ".env"), "y", required),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("fchown")));
  EXPECT_EQ(ReadOrDie(JoinPath(dir, ".env")), "x");
}

// Runs as root (CI does): giving a file away needs it.
TEST(AtomicWriterTest, BackupBelongsToTheFilesOwner) {
  ASSERT_EQ(::geteuid(), 0u) << "giving files away needs root, as CI runs";
  std::string dir = FreshDir("backup_owner");
  std::string path = JoinPath(dir, ".env");
  Seed(path, "OLD='1'\n", 0600);
  RealFilesystem fs;
  WriteOptions opts;
  opts.uid = 65534;
  opts.preferred_owner.gid = 65534;
  opts.backup_path = path + ".bak";
  ASSERT_THAT(WriteFileAtomically(fs, path, "NEW='2'\n", opts), IsOk());
  struct stat st;
  ASSERT_EQ(::stat(opts.backup_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
  EXPECT_EQ(st.st_gid, 65534u);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AtomicWriterTest, NonDurableWriteSkipsBothFsyncsOnly) {
  std::string dir = FreshDir("nondurable");
  RealFilesystem real;
  FakeFilesystem fs(real);
  WriteOptions opts;
  opts.durable = false;
  ASSERT_THAT(WriteFileAtomically(fs, JoinPath(dir, "cache"), "x", opts), IsOk());
  EXPECT_THAT(fs.op_names(), ElementsAre("create_temp", "write", "chmod", "close", "rename"));
}

// Fails every step in turn: up to and including the rename, the original file
// stays byte-identical with its mode; after it (folder fsync) the new file is
// in place. Never a temp file left behind.
TEST(AtomicWriterTest, FailingAnyStepLeavesOriginalAndLastBackupIntactAndNoTempFile) {
  const std::string original = "OLD='1'\n";
  const std::string last_backup = "OLDER='0'\n";
  const std::string fresh = absl::StrCat("NEW='", kCanary, "'\n");
  for (bool with_backup : {false, true}) {
    std::string dir = FreshDir(absl::StrCat("steps", with_backup));
    std::string path = JoinPath(dir, ".env");
    WriteOptions opts;
    opts.mode = 0640;
    opts.uid = ::getuid();
    opts.gid = ::getgid();
    if (with_backup) opts.backup_path = path + ".bak";
    // Reference run to learn the steps.
    Seed(path, original, 0640);
    RealFilesystem real;
    FakeFilesystem probe(real);
    ASSERT_THAT(WriteFileAtomically(probe, path, fresh, opts), IsOk());
    std::vector<std::string> steps = probe.op_names();
    // The output's rename comes first; the backup's (if any) only after it.
    const int main_rename =
        static_cast<int>(std::find(steps.begin(), steps.end(), "rename") - steps.begin());
    ASSERT_LT(main_rename, static_cast<int>(steps.size()));

    for (int n = 0; n < static_cast<int>(steps.size()); ++n) {
      SCOPED_TRACE(absl::StrCat("backup=", with_backup, " failing step ", n, " ", steps[n]));
      FreshDir(absl::StrCat("steps", with_backup));
      Seed(path, original, 0640);
      if (with_backup) Seed(opts.backup_path, last_backup, 0600);
      FakeFilesystem fs(real);
      fs.FailAtStep(n, absl::InternalError("injected"));
      absl::Status s = WriteFileAtomically(fs, path, fresh, opts);
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(kCanary)));
      if (n <= main_rename) {
        // Nothing moved: the output and the last good backup are as they were.
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal, HasSubstr("injected")));
        EXPECT_EQ(ReadOrDie(path), original);
        if (with_backup) {
          EXPECT_EQ(ReadOrDie(opts.backup_path), last_backup);
        }
      } else if (n == main_rename + 1) {
        // The folder fsync: the new file is in place, durability unknown.
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal, HasSubstr("injected")));
        EXPECT_EQ(ReadOrDie(path), fresh);
      } else {
        // Replacing the backup after the new file is in place is best effort.
        EXPECT_THAT(s, IsOk());
        EXPECT_EQ(ReadOrDie(path), fresh);
        const std::string backup = ReadOrDie(opts.backup_path);
        EXPECT_TRUE(backup == original || backup == last_backup);
      }
      EXPECT_EQ(ModeOf(path), 0640u);
      auto names = real.ListDir(dir);
      ASSERT_THAT(names, IsOk());
      for (const std::string& name : *names) {
        EXPECT_THAT(name, Not(HasSubstr("secretsync-tmp"))) << "temp file left behind";
      }
    }
  }
}

TEST(AtomicWriterTest, BackupKeepsPreviousContentWith0600OnlyWhenChanged) {
  std::string dir = FreshDir("backup");
  std::string path = JoinPath(dir, ".env");
  std::string bak = path + ".bak";
  Seed(path, "A='old'\n", 0644);
  RealFilesystem fs;
  WriteOptions opts;
  opts.backup_path = bak;
  mode_t old = ::umask(0);
  absl::Status s = WriteFileAtomically(fs, path, "A='new'\n", opts);
  ::umask(old);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(ReadOrDie(bak), "A='old'\n");
  EXPECT_EQ(ModeOf(bak), 0600u);
  EXPECT_EQ(ReadOrDie(path), "A='new'\n");

  ASSERT_THAT(fs.Unlink(bak), IsOk());
  ASSERT_THAT(WriteFileAtomically(fs, path, "A='new'\n", opts), IsOk());
  auto info = fs.Stat(bak);
  ASSERT_THAT(info, IsOk());
  EXPECT_FALSE(info->exists) << "unchanged content must not rewrite the backup";
}

TEST(AtomicWriterTest, MissingFolderIsNotFoundAndNothingIsCreated) {
  RealFilesystem fs;
  std::string path = JoinPath(FreshDir("nofolder"), "sub/.env");
  EXPECT_THAT(WriteFileAtomically(fs, path, "x", WriteOptions()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nofolder/sub")));
}

TEST(RemoveStaleTempFilesTest, RemovesOnlyOurTempFilesForThatPath) {
  std::string dir = FreshDir("stale");
  std::string path = JoinPath(dir, ".env");
  RealFilesystem fs;
  for (const char* name : {"..env.secretsync-tmp-abc123", "..env.secretsync-tmp-zzzzzz",
                           ".other.secretsync-tmp-abc123", "keep.txt"}) {
    Seed(JoinPath(dir, name), "x", 0600);
  }
  ASSERT_THAT(RemoveStaleTempFiles(fs, path), IsOk());
  EXPECT_THAT(fs.ListDir(dir),
              IsOkAndHolds(UnorderedElementsAre(".other.secretsync-tmp-abc123", "keep.txt")));
}

TEST(ReadFileIfExistsTest, MissingIsNulloptPresentIsContent) {
  std::string dir = FreshDir("read");
  RealFilesystem fs;
  auto missing = ReadFileIfExists(fs, JoinPath(dir, "none"));
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(missing->has_value());
  Seed(JoinPath(dir, "f"), kCanary, 0600);
  auto present = ReadFileIfExists(fs, JoinPath(dir, "f"));
  ASSERT_THAT(present, IsOk());
  ASSERT_TRUE(present->has_value());
  EXPECT_EQ((*present)->Expose(), kCanary);
  EXPECT_THAT(ReadFileIfExists(fs, JoinPath(dir, "f"), 3),
              StatusIs(absl::StatusCode::kFailedPrecondition, Not(HasSubstr(kCanary))));
}

}  // namespace
}  // namespace fileio
}  // namespace secretsync

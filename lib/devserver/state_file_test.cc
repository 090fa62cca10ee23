// Tests for reading seeds and writing the state file atomically.
#include "lib/devserver/state_file.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace devserver {
namespace {

using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(StateFileTest, ReadsSeedAndWritesStateWithMode0600) {
  std::string seed_path = TmpPath("seed.textproto");
  WriteFile(seed_path, R"(projects { id: "p" slug: "s" secrets { key: "K" value: "v" } })");
  absl::StatusOr<secretsync::v1::DevSeed> seed = ReadSeedFile(seed_path);
  ASSERT_TRUE(seed.ok()) << seed.status();
  EXPECT_EQ(seed->projects(0).secrets(0).key(), "K");

  std::string state_path = TmpPath("state.textproto");
  ASSERT_TRUE(WriteStateFile(state_path, *seed).ok());
  struct stat st;
  ASSERT_EQ(::stat(state_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<secretsync::v1::DevSeed> back = ReadSeedFile(state_path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->SerializeAsString(), seed->SerializeAsString());
}

TEST(StateFileTest, MissingSeedIsNotFound) {
  EXPECT_THAT(ReadSeedFile(TmpPath("absent.textproto")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("absent.textproto")));
}

TEST(StateFileTest, ParseErrorNamesLineAndColumnButNotTheContent) {
  std::string path = TmpPath("bad.textproto");
  WriteFile(path, "projects {\n  id: \"p\"\n  secrets { value: canary-value-c4n4ry }\n}\n");
  EXPECT_THAT(ReadSeedFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("bad.textproto line 3"), Not(HasSubstr("c4n4ry")))));
}

TEST(StateFileTest, WriteToMissingFolderFailsAndLeavesNothing) {
  secretsync::v1::DevSeed seed;
  EXPECT_THAT(WriteStateFile(TmpPath("no/such/dir/state"), seed),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/such/dir")));
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

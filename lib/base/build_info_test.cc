// --version reports the VERSION file's version and a commit.
#include "lib/base/build_info.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

std::string ReadVersionFile() {
  std::ifstream in("VERSION");  // runfiles root = the workspace
  std::stringstream text;
  text << in.rdbuf();
  std::string v = text.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

TEST(BuildInfoTest, VersionIsTheVersionFile) {
  const std::string expected = ReadVersionFile();
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(BuildVersion(), expected);
}

TEST(BuildInfoTest, VersionLineNamesVersionAndCommit) {
  EXPECT_FALSE(BuildCommit().empty());
  EXPECT_EQ(VersionLine(), "secretsync " + std::string(BuildVersion()) + " (commit " +
                               std::string(BuildCommit()) + ")\n");
}

}  // namespace
}  // namespace secretsync

// Flag names take '-' or '_' alike; values and arguments after "--" are kept.
#include "lib/base/tool_flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(UnderscoreFlagNamesTest, RewritesNamesOnly) {
  std::vector<std::string> args = {"sync", "--dry-run", "--wait-lock=1m", "--output=/a-b/c",
                                   "-x-y", "--",        "--rate-limit"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  UnderscoreFlagNames(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(args[1], "--dry_run");
  EXPECT_EQ(args[2], "--wait_lock=1m");
  EXPECT_EQ(args[3], "--output=/a-b/c");
  EXPECT_EQ(args[4], "-x-y");
  EXPECT_EQ(args[6], "--rate-limit");
}

}  // namespace
}  // namespace secretsync

// RealCommandRunner runs real processes: exit codes, extra environment, timeouts.
#include "lib/base/command_runner.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(CommandRunnerTest, ReportsExitCode) {
  RealCommandRunner r;
  auto res = r.Run({"/bin/sh", "-c", "exit 3"}, {}, absl::Seconds(30));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 3);
  EXPECT_FALSE(res->timed_out);
}

TEST(CommandRunnerTest, PassesExtraEnvironment) {
  const std::string out = std::string(getenv("TEST_TMPDIR")) + "/env.txt";
  RealCommandRunner r;
  auto res = r.Run({"/bin/sh", "-c", "printf %s \"$SECRETSYNC_CHANGED\" > \"$OUT\""},
                   {{"SECRETSYNC_CHANGED", "A,B"}, {"OUT", out}}, absl::Seconds(30));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "A,B");
}

TEST(CommandRunnerTest, KillsProcessGroupOnTimeout) {
  RealCommandRunner r;
  auto res = r.Run({"/bin/sh", "-c", "sleep 30; exit 0"}, {}, absl::Milliseconds(200));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_TRUE(res->timed_out);
  EXPECT_NE(res->exit_code, 0);
}

TEST(CommandRunnerTest, MissingProgramIsAnError) {
  RealCommandRunner r;
  auto res = r.Run({"/nonexistent/program"}, {}, absl::Seconds(1));
  EXPECT_FALSE(res.ok());
  EXPECT_NE(std::string(res.status().message()).find("/nonexistent/program"), std::string::npos);
  EXPECT_FALSE(r.Run({}, {}, absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace secretsync

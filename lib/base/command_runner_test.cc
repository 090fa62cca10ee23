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

TEST(CommandRunnerTest, FeedsStdinThenEndOfFile) {
  const std::string out = std::string(getenv("TEST_TMPDIR")) + "/stdin.txt";
  RealCommandRunner r;
  auto res = r.RunWithStdin({"/bin/sh", "-c", "cat > \"$OUT\""}, {{"OUT", out}},
                            absl::Seconds(30), "line one\nline 'two'\n");
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 0);
  EXPECT_FALSE(res->timed_out);  // cat saw end-of-file
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "line one\nline 'two'\n");
}

TEST(CommandRunnerTest, ChildThatIgnoresStdinDoesNotKillTheCaller) {
  RealCommandRunner r;
  // The child exits before reading: sending must not raise SIGPIPE here.
  auto res = r.RunWithStdin({"/bin/sh", "-c", "exec 0<&-; exit 4"}, {}, absl::Seconds(30),
                            std::string(CommandRunner::kMaxStdinBytes, 'x'));
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 4);
}

TEST(CommandRunnerTest, OversizedStdinIsInvalidArgument) {
  RealCommandRunner r;
  auto res = r.RunWithStdin({"/bin/true"}, {}, absl::Seconds(1),
                            std::string(CommandRunner::kMaxStdinBytes + 1, 'x'));
  EXPECT_EQ(res.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CommandRunnerTest, RunWithStdinOnARunnerWithoutItIsUnimplemented) {
  class RunOnly : public CommandRunner {
   public:
    absl::StatusOr<CommandResult> Run(const std::vector<std::string>&,
                                      const std::map<std::string, std::string>&,
                                      absl::Duration) override {
      return CommandResult{};
    }
  } runner;
  EXPECT_EQ(runner.RunWithStdin({"x"}, {}, absl::Seconds(1), "").status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace secretsync

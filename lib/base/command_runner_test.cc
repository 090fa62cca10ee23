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
                            absl::Seconds(30), "line one\nline 'two'\n", nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 0);
  EXPECT_FALSE(res->timed_out);  // cat saw end-of-file
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "line one\nline 'two'\n");
}

TEST(CommandRunnerTest, CapturesStdoutOfRunWithStdin) {
  RealCommandRunner r;
  std::string out = "stale";
  auto res = r.RunWithStdin({"/bin/sh", "-c", "tr a-z A-Z; echo done"}, {}, absl::Seconds(30),
                            "abc\n", &out);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 0);
  EXPECT_EQ(out, "ABC\ndone\n");
}

TEST(CommandRunnerTest, KeepsTheFirstMebibyteOfStdoutAndStillFinishes) {
  RealCommandRunner r;
  std::string out;
  auto res = r.RunWithStdin({"/bin/sh", "-c", "head -c 1500000 /dev/zero"}, {},
                            absl::Seconds(30), "", &out);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 0);
  EXPECT_FALSE(res->timed_out);
  EXPECT_EQ(out.size(), CommandRunner::kMaxStdoutBytes);
}

TEST(CommandRunnerTest, RunWithStdinTimesOut) {
  RealCommandRunner r;
  std::string out;
  auto res = r.RunWithStdin({"/bin/sh", "-c", "sleep 30"}, {}, absl::Milliseconds(300), "x", &out);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_TRUE(res->timed_out);
}

TEST(CommandRunnerTest, ChildThatIgnoresStdinDoesNotKillTheCaller) {
  RealCommandRunner r;
  // The child exits before reading: sending must not raise SIGPIPE here.
  auto res = r.RunWithStdin({"/bin/sh", "-c", "exec 0<&-; exit 4"}, {}, absl::Seconds(30),
                            std::string(CommandRunner::kMaxStdinBytes, 'x'), nullptr);
  ASSERT_TRUE(res.ok()) << res.status();
  EXPECT_EQ(res->exit_code, 4);
}

TEST(CommandRunnerTest, OversizedStdinIsInvalidArgument) {
  RealCommandRunner r;
  auto res = r.RunWithStdin({"/bin/true"}, {}, absl::Seconds(1),
                            std::string(CommandRunner::kMaxStdinBytes + 1, 'x'), nullptr);
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
  EXPECT_EQ(runner.RunWithStdin({"x"}, {}, absl::Seconds(1), "", nullptr).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace secretsync

// Tests for CommandHealthChecker over FakeCommandRunner: exit codes, signal,
// timeout, the environment given, output captured and never reported.
#include "lib/health/command_health_checker.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/fake_command_runner.h"

namespace secretsync {
namespace health {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(CommandHealthCheckerTest, ExitZeroIsHealthy) {
  FakeCommandRunner runner;
  runner.stdout_reply = "SECRET_KEY=canary-output-77";
  CommandHealthChecker checker(runner, {"/usr/local/bin/check-app", "--deep"}, {{"PATH", "/bin"}});
  EXPECT_EQ(checker.Label(), "check-app");
  AttemptResult r = checker.Attempt(absl::Seconds(2));
  EXPECT_TRUE(r.healthy);
  ASSERT_EQ(runner.calls.size(), 1u);
  EXPECT_THAT(runner.calls[0].argv, ElementsAre("/usr/local/bin/check-app", "--deep"));
  EXPECT_THAT(runner.calls[0].env, ElementsAre(Pair("PATH", "/bin")));
  EXPECT_EQ(runner.calls[0].timeout, absl::Seconds(2));
}

TEST(CommandHealthCheckerTest, FailuresAreDescribedWithoutOutput) {
  FakeCommandRunner runner;
  runner.stdout_reply = "canary-output-77";
  CommandHealthChecker checker(runner, {"check"}, {});
  runner.result = CommandResult{3, 0, false};
  EXPECT_EQ(checker.Attempt(absl::Seconds(1)).detail, "exit 3");
  runner.result = CommandResult{0, 9, false};
  EXPECT_EQ(checker.Attempt(absl::Seconds(1)).detail, "killed by signal 9");
  runner.result = CommandResult{0, 15, true};
  EXPECT_EQ(checker.Attempt(absl::Milliseconds(1500)).detail, "timed out after 1500 ms");
  runner.result = absl::InternalError("exec failed");
  AttemptResult r = checker.Attempt(absl::Seconds(1));
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "cannot start check");
}

}  // namespace
}  // namespace health
}  // namespace secretsync

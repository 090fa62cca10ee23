// Tests for RunHealthCheck with a scripted checker and FakeClock: start
// delay, attempts, interval, stop at the first healthy attempt.
#include "lib/health/health_runner.h"

#include <deque>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/config/health_check_config.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace health {
namespace {

using ::testing::ElementsAre;

// Answers from a script; records the timeouts it was given.
class ScriptedChecker : public HealthChecker {
 public:
  explicit ScriptedChecker(std::deque<AttemptResult> script) : script_(std::move(script)) {}
  std::string Label() const override { return "scripted"; }
  AttemptResult Attempt(absl::Duration timeout) override {
    timeouts.push_back(timeout);
    AttemptResult r = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return r;
  }
  std::vector<absl::Duration> timeouts;

 private:
  std::deque<AttemptResult> script_;
};

v1::HealthCheck Config(uint32_t attempts, uint32_t interval_ms, uint32_t delay_ms) {
  v1::HealthCheck c;
  c.mutable_command()->add_command("/bin/true");
  c.set_attempts(attempts);
  c.set_interval_ms(interval_ms);
  c.set_start_delay_ms(delay_ms);
  c.set_timeout_ms(750);
  return c;
}

TEST(HealthRunnerTest, HealthyFirstAttemptSleepsOnlyTheStartDelay) {
  FakeClock clock;
  ScriptedChecker checker({{true, "exit 0"}});
  v1::HealthReport r = RunHealthCheck(Config(3, 1000, 250), checker, clock);
  EXPECT_EQ(r.outcome(), v1::HEALTHY);
  EXPECT_EQ(r.attempts(), 1);
  EXPECT_EQ(r.check(), "scripted");
  EXPECT_EQ(r.detail(), "");
  EXPECT_EQ(r.duration_ms(), 250);
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Milliseconds(250)));
  EXPECT_THAT(checker.timeouts, ElementsAre(absl::Milliseconds(750)));
}

TEST(HealthRunnerTest, RetriesWithTheIntervalUntilHealthy) {
  FakeClock clock;
  ScriptedChecker checker({{false, "connection refused"}, {false, "status 502, want 200"},
                           {true, "status 200"}});
  v1::HealthReport r = RunHealthCheck(Config(5, 400, 0), checker, clock);
  EXPECT_EQ(r.outcome(), v1::HEALTHY);
  EXPECT_EQ(r.attempts(), 3);
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Milliseconds(400), absl::Milliseconds(400)));
}

TEST(HealthRunnerTest, AllAttemptsFailingIsUnhealthyWithTheLastDetail) {
  FakeClock clock;
  ScriptedChecker checker({{false, "connection refused"}, {false, "status 500, want 200"}});
  v1::HealthReport r = RunHealthCheck(Config(3, 100, 0), checker, clock);
  EXPECT_EQ(r.outcome(), v1::UNHEALTHY);
  EXPECT_EQ(r.attempts(), 3);
  EXPECT_EQ(r.detail(), "status 500, want 200");
  EXPECT_EQ(r.duration_ms(), 200);
  EXPECT_EQ(checker.timeouts.size(), 3u);
}

TEST(HealthRunnerTest, ZeroFieldsTakeTheDefaults) {
  FakeClock clock;
  ScriptedChecker checker({{false, "exit 1"}});
  v1::HealthCheck c;
  c.mutable_command()->add_command("check");
  v1::HealthReport r = RunHealthCheck(c, checker, clock);
  EXPECT_EQ(r.attempts(), static_cast<int32_t>(config::kDefaultHealthAttempts));
  EXPECT_THAT(clock.sleeps(), ElementsAre(absl::Milliseconds(config::kDefaultHealthIntervalMs),
                                          absl::Milliseconds(config::kDefaultHealthIntervalMs)));
  EXPECT_THAT(checker.timeouts[0], absl::Milliseconds(config::kDefaultHealthTimeoutMs));
}

}  // namespace
}  // namespace health
}  // namespace secretsync

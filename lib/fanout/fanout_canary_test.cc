// fanout --canary and health per host (issue 17): the gate over fake calls
// (who is called, in which phase, why the rest is not started), and RunFanout
// against in-process agents on 127.0.0.1 whose fake syncs report a health
// outcome (exit codes, table, JSON, nothing of the canary value anywhere).
#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/random_source.h"
#include "lib/fanout/fanout_command.h"
#include "lib/testing/fake_clock.h"
#include "nlohmann/json.hpp"
#include "tests/agent/agent_harness.h"

namespace secretsync {
namespace fanout {
namespace {

using agent::FakeSyncService;
using agent::testing::InProcessAgent;
using secretsync::v1::HealthOutcome;

std::vector<HostEntry> Hosts(int n) {
  std::vector<HostEntry> hosts;
  for (int i = 0; i < n; ++i) hosts.push_back({"h" + std::to_string(i) + ":1", ""});
  return hosts;
}

// A fake call: host i answers `health(i)` (and exit 81 for a rollback, 79 for
// unhealthy), and counts its calls.
class FakeFleet {
 public:
  explicit FakeFleet(int n) : calls_(n) {}
  std::function<HostResult(const HostEntry&)> Call(
      std::function<HealthOutcome(int)> health) {
    return [this, health](const HostEntry& h) {
      const int i = std::stoi(h.target.substr(1));
      ++calls_[i];
      HostResult r;
      r.host = h.target;
      r.reported = true;
      r.health = health(i);
      r.outcome = Outcome::kOk;
      if (r.health == secretsync::v1::UNHEALTHY_ROLLED_BACK) {
        r.outcome = Outcome::kFailed;
        r.exit_code = 81;
        r.health_detail = "exit 1";
      }
      return r;
    };
  }
  int calls(int i) const { return calls_[i].load(); }

 private:
  std::vector<std::atomic<int>> calls_;
};

TEST(FanoutCanaryGateTest, ARolledBackCanaryStartsNoOtherHost) {
  FakeClock clock;
  FakeFleet fleet(10);
  FanoutOptions o;
  o.canary = 2;
  o.batch = 3;
  o.splay = absl::Seconds(5);
  FanoutRun run = FanOut(Hosts(10), o, clock, fleet.Call([](int i) {
    return i == 1 ? secretsync::v1::UNHEALTHY_ROLLED_BACK : secretsync::v1::HEALTHY;
  }));
  EXPECT_EQ(fleet.calls(0), 1);
  EXPECT_EQ(fleet.calls(1), 1);
  for (int i = 2; i < 10; ++i) {
    EXPECT_EQ(fleet.calls(i), 0) << i;
    EXPECT_EQ(run.rows[i].outcome, Outcome::kSkipped) << i;
    EXPECT_FALSE(run.rows[i].reported) << i;
    EXPECT_EQ(run.rows[i].error, "not started: " + run.stopped) << i;
  }
  EXPECT_EQ(run.stopped, "canary h1:1 rolled back: unhealthy (exit 1)");
  EXPECT_TRUE(clock.sleeps().empty());  // no splay after the last phase run
}

TEST(FanoutCanaryGateTest, HealthyCanariesThenBatchesUpToTheFirstWithAnUnhealthyHost) {
  FakeClock clock;
  FakeFleet fleet(10);
  FanoutOptions o;
  o.canary = 2;
  o.batch = 3;
  o.parallel = 1;
  o.splay = absl::Seconds(5);
  // Phases: canaries {0,1}, batches {2,3,4} {5,6,7} {8,9}; host 6 rolls back.
  FanoutRun run = FanOut(Hosts(10), o, clock, fleet.Call([](int i) {
    return i == 6 ? secretsync::v1::UNHEALTHY_ROLLED_BACK : secretsync::v1::HEALTHY;
  }));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(fleet.calls(i), 1) << i;  // batch 2 finishes
  EXPECT_EQ(fleet.calls(8), 0);
  EXPECT_EQ(fleet.calls(9), 0);
  EXPECT_EQ(run.rows[7].outcome, Outcome::kOk);
  EXPECT_EQ(run.rows[9].outcome, Outcome::kSkipped);
  EXPECT_EQ(run.stopped, "batch 2 of 3: h6:1 rolled back: unhealthy (exit 1)");
  EXPECT_EQ(clock.sleeps(), (std::vector<absl::Duration>{absl::Seconds(5), absl::Seconds(5)}));
}

TEST(FanoutCanaryGateTest, NotCheckedPassesUnlessHealthIsRequired) {
  FakeClock clock;
  auto not_checked = [](int) { return secretsync::v1::HEALTH_NOT_CHECKED; };
  FanoutOptions o;
  o.canary = 1;
  FakeFleet lenient(4);
  FanoutRun run = FanOut(Hosts(4), o, clock, lenient.Call(not_checked));
  EXPECT_EQ(run.stopped, "");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lenient.calls(i), 1) << i;
  o.require_health = true;
  FakeFleet strict(4);
  run = FanOut(Hosts(4), o, clock, strict.Call(not_checked));
  EXPECT_EQ(strict.calls(0), 1);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(strict.calls(i), 0) << i;
  EXPECT_EQ(run.stopped, "canary h0:1 health not checked (--require_health)");
  // A healthy canary passes the strict gate.
  FakeFleet healthy(4);
  run = FanOut(Hosts(4), o, clock, healthy.Call([](int i) {
    return i == 0 ? secretsync::v1::HEALTHY : secretsync::v1::HEALTH_NOT_CHECKED;
  }));
  EXPECT_EQ(healthy.calls(1), 1);
  // Later hosts are gated too: the first batch after the canary stops the run.
  EXPECT_EQ(run.stopped, "batch 1 of 1: h1:1 health not checked (--require_health)");
}

TEST(FanoutCanaryGateTest, WithoutACanaryEveryBatchRunsAsBefore) {
  FakeClock clock;
  FakeFleet fleet(6);
  FanoutOptions o;
  o.batch = 2;
  FanoutRun run = FanOut(Hosts(6), o, clock, fleet.Call([](int i) {
    return i == 0 ? secretsync::v1::UNHEALTHY_ROLLED_BACK : secretsync::v1::HEALTHY;
  }));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(fleet.calls(i), 1) << i;
  EXPECT_EQ(run.stopped, "");
  // --stop_on_failure stops at an unhealthy host and says so.
  o.stop_on_failure = true;
  o.parallel = 1;
  FakeFleet stopped(6);
  run = FanOut(Hosts(6), o, clock, stopped.Call([](int i) {
    return i == 2 ? secretsync::v1::UNHEALTHY_ROLLED_BACK : secretsync::v1::HEALTHY;
  }));
  EXPECT_EQ(stopped.calls(3), 0);
  EXPECT_EQ(run.stopped, "--stop_on_failure: h2:1 rolled back: unhealthy (exit 1)");
}

constexpr char kCheck[] = "GET http://127.0.0.1:8000/_health/";

// In-process agents over loopback plaintext, each over its own fake sync.
class FanoutHealthTest : public ::testing::Test {
 protected:
  void Start(int n) {
    agent::AgentOptions opts;
    opts.insecure_loopback_plaintext = true;
    for (int i = 0; i < n; ++i) {
      services_.push_back(std::make_unique<FakeSyncService>());
      secretsync::v1::HealthReport h;
      h.set_outcome(secretsync::v1::HEALTHY);
      h.set_check(kCheck);
      services_.back()->SetHealth(h);
      agents_.push_back(std::make_unique<InProcessAgent>(opts, *services_.back()));
      ASSERT_TRUE(agents_.back()->listening()) << agents_.back()->err();
      hosts_.push_back(agents_.back()->target());
    }
  }
  void RollBack(int i) {
    services_[i]->SetExitCode(81);
    secretsync::v1::HealthReport h;
    h.set_outcome(secretsync::v1::UNHEALTHY_ROLLED_BACK);
    h.set_check(kCheck);
    h.set_detail("status 500 (want 200)");
    services_[i]->SetHealth(h);
  }
  FanoutOptions Options(int canary) {
    FanoutOptions o;
    o.hosts = hosts_;
    o.insecure_loopback_plaintext = true;
    o.deadline = absl::Seconds(60);
    o.canary = canary;
    return o;
  }
  int Run(const FanoutOptions& o) {
    out_.str("");
    err_.str("");
    const int code = RunFanout(o, {fs_, clock_, random_, log_}, out_, err_);
    for (const std::string& text : {out_.str(), err_.str(), log_.text()}) {
      EXPECT_FALSE(absl::StrContains(text, FakeSyncService::kCanary)) << text;
    }
    return code;
  }

  std::vector<std::unique_ptr<FakeSyncService>> services_;
  std::vector<std::unique_ptr<InProcessAgent>> agents_;
  std::vector<std::string> hosts_;
  RealFilesystem fs_;
  RealClock clock_;
  OsRandomSource random_;
  agent::testing::LinesSink log_;
  std::ostringstream out_, err_;
};

TEST_F(FanoutHealthTest, RolledBackCanaryExits81AndTheOthersAreNotStarted) {
  Start(3);
  RollBack(0);
  FanoutOptions o = Options(1);
  o.json = true;
  EXPECT_EQ(Run(o), 81) << err_.str();
  nlohmann::json doc = nlohmann::json::parse(out_.str());
  const nlohmann::json& canary = doc["hosts"][0];
  EXPECT_EQ(canary["result"], "failed");
  EXPECT_EQ(canary["exit_code"], 81);
  EXPECT_EQ(canary["health"]["outcome"], "UNHEALTHY_ROLLED_BACK");
  EXPECT_EQ(canary["health"]["check"], kCheck);
  EXPECT_EQ(canary["health"]["detail"], "status 500 (want 200)");
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(doc["hosts"][i]["result"], "skipped");
    EXPECT_TRUE(doc["hosts"][i]["health"].is_null());
    EXPECT_TRUE(absl::StartsWith(doc["hosts"][i]["error"].get<std::string>(),
                                 "not started: canary " + hosts_[0]));
    EXPECT_EQ(services_[i]->runs(), 0);
  }
  EXPECT_TRUE(absl::StrContains(err_.str(), "fanout: stopped: canary " + hosts_[0] +
                                                " rolled back: unhealthy (status 500 (want 200)); "
                                                "2 hosts not started"))
      << err_.str();
  EXPECT_TRUE(absl::StrContains(log_.text(), "fanout.stopped")) << log_.text();
  // The table has the health column and the check's detail.
  o.json = false;
  EXPECT_EQ(Run(o), 81);
  const std::string table = out_.str();
  EXPECT_TRUE(absl::StartsWith(table, "HOST")) << table;
  EXPECT_TRUE(absl::StrContains(table, "RESULT       HEALTH")) << table;
  EXPECT_TRUE(absl::StrContains(table, "failed       rolled-back")) << table;
  EXPECT_TRUE(absl::StrContains(table, "(health: status 500 (want 200))")) << table;
  EXPECT_TRUE(absl::StrContains(table, "skipped      -")) << table;
}

TEST_F(FanoutHealthTest, HealthyCanaryLetsTheRestGoInBatches) {
  Start(4);
  FanoutOptions o = Options(1);
  o.batch = 2;
  EXPECT_EQ(Run(o), 0) << err_.str() << out_.str();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(services_[i]->runs(), 1) << i;
  EXPECT_EQ(err_.str().find("stopped"), std::string::npos) << err_.str();
  size_t healthy = 0;
  for (size_t at = 0; (at = out_.str().find(" healthy ", at)) != std::string::npos; ++at) {
    ++healthy;
  }
  EXPECT_EQ(healthy, 4u) << out_.str();
  EXPECT_TRUE(absl::StrContains(log_.text(), "health=healthy")) << log_.text();
}

TEST_F(FanoutHealthTest, ExitCodePrecedenceIsRefusalThenPermanentThenRollbackThenTemporary) {
  Start(3);
  RollBack(1);
  services_[2]->SetExitCode(75);
  EXPECT_EQ(Run(Options(0)), 81) << out_.str();  // 81 wins over a failed sync (75)
  services_[2]->SetExitCode(0);
  services_[2]->FailWith(absl::NotFoundError("no deployment named web"));
  EXPECT_EQ(Run(Options(0)), 66) << out_.str();  // a permanent code wins over 81
  services_[2]->FailWith(absl::PermissionDeniedError("caller not allowed"));
  EXPECT_EQ(Run(Options(0)), 77) << out_.str();
}

TEST_F(FanoutHealthTest, CanaryOutsideZeroToTheHostCountIsAUsageError) {
  Start(3);
  EXPECT_EQ(Run(Options(4)), 64);
  EXPECT_TRUE(absl::StrContains(err_.str(), "--canary: 4 is more than the 3 hosts given"))
      << err_.str();
  EXPECT_EQ(Run(Options(-1)), 64);
  EXPECT_TRUE(absl::StrContains(err_.str(), "--canary: must not be negative")) << err_.str();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(services_[i]->runs(), 0) << i;
  EXPECT_EQ(Run(Options(3)), 0) << err_.str();  // every host a canary
}

}  // namespace
}  // namespace fanout
}  // namespace secretsync

// AgentMetrics: the text each event leaves in the exposition, the bounded
// caller label, the certificate expiry at scrape time, and the hooks of a
// real SyncCoordinator (in flight, coalesced, duration, last success).
#include "lib/agent/agent_metrics.h"

#include <condition_variable>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/agent/sync_coordinator.h"
#include "lib/base/log.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A settable clock on std::mutex: the coordinator reads it from its worker
// thread, and TSan cannot see the absl::Mutex inside FakeClock.
class StdFakeClock : public Clock {
 public:
  absl::Time TimeNow() override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void Sleep(absl::Duration d) override {
    std::lock_guard<std::mutex> l(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
};

secretsync::v1::SyncReport Report(int exit_code) {
  secretsync::v1::SyncReport r;
  r.set_exit_code(exit_code);
  r.add_changed("DATABASE_PASSWORD");
  return r;
}

TEST(AgentMetricsTest, CountsCallsByCallerAndOutcome) {
  FakeClock clock;
  AgentMetrics m(clock);
  m.CallFinished("spiffe://corp/central", Report(0));
  m.CallFinished("spiffe://corp/central", Report(0));
  m.CallFinished("spiffe://corp/central", Report(75));
  m.CallFinished("loopback", absl::DeadlineExceededError("agent: deadline passed"));
  const std::string text = m.Text();
  EXPECT_THAT(text, HasSubstr("secretsync_agent_sync_calls_total{caller=\"spiffe://corp/central\","
                              "outcome=\"ok\"} 2"));
  EXPECT_THAT(text, HasSubstr("secretsync_agent_sync_calls_total{caller=\"spiffe://corp/central\","
                              "outcome=\"exit_75\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_agent_sync_calls_total{caller=\"loopback\","
                              "outcome=\"deadline_exceeded\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE secretsync_agent_sync_calls_total counter"));
}

TEST(AgentMetricsTest, OutcomeLabelsAreBounded) {
  EXPECT_EQ(SyncOutcomeLabel(Report(0)), "ok");
  EXPECT_EQ(SyncOutcomeLabel(Report(81)), "exit_81");
  EXPECT_EQ(SyncOutcomeLabel(Report(-1)), "exit_other");
  EXPECT_EQ(SyncOutcomeLabel(Report(70000)), "exit_other");
  EXPECT_EQ(SyncOutcomeLabel(absl::UnavailableError("x")), "unavailable");
  EXPECT_EQ(SyncOutcomeLabel(absl::NotFoundError("deployment \"zz\"")), "not_found");
}

TEST(AgentMetricsTest, RefusalsStartAtZeroAndCountByReason) {
  FakeClock clock;
  AgentMetrics m(clock);
  EXPECT_THAT(m.Text(),
              HasSubstr("secretsync_agent_refusals_total{reason=\"rate_limit\",rpc=\"Sync\"} 0"));
  m.Refused("Sync", RefusalReason::kRateLimit);
  m.Refused("Sync", RefusalReason::kRateLimit);
  m.Refused("Sync", RefusalReason::kNotAllowed);
  m.Refused("GetStatus", RefusalReason::kToken);
  const std::string text = m.Text();
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_refusals_total{reason=\"rate_limit\",rpc=\"Sync\"} 2"));
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_refusals_total{reason=\"not_allowed\",rpc=\"Sync\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_refusals_total{reason=\"token\",rpc=\"GetStatus\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("caller=")));  // refusals name no caller
}

TEST(AgentMetricsTest, CallerLabelsStopGrowingAtTheCap) {
  FakeClock clock;
  AgentMetrics m(clock);
  for (int i = 0; i < AgentMetrics::kMaxCallerLabels + 10; ++i) {
    m.CallFinished(absl::StrCat("host-", i), Report(0));
  }
  m.CallFinished("host-0", Report(0));  // a known caller keeps its label
  const std::string text = m.Text();
  EXPECT_THAT(text, HasSubstr("{caller=\"host-0\",outcome=\"ok\"} 2"));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("{caller=\"host-", AgentMetrics::kMaxCallerLabels - 1,
                                           "\",outcome=\"ok\"} 1")));
  EXPECT_THAT(text, Not(HasSubstr(absl::StrCat("host-", AgentMetrics::kMaxCallerLabels, "\""))));
  EXPECT_THAT(text, HasSubstr("{caller=\"other\",outcome=\"ok\"} 10"));
}

TEST(AgentMetricsTest, CertificateExpiryIsComputedAtEachScrape) {
  FakeClock clock;
  AgentMetrics m(clock);
  EXPECT_THAT(m.Text(), Not(HasSubstr("certificate_expiry")));  // no TLS: no series
  m.SetCertificateExpiry("server", clock.TimeNow() + absl::Seconds(100));
  m.SetCertificateExpiry("client_ca", clock.TimeNow() + absl::Hours(24 * 365));
  EXPECT_THAT(m.Text(),
              HasSubstr("secretsync_agent_certificate_expiry_seconds{cert=\"server\"} 100\n"));
  clock.Advance(absl::Seconds(160));
  const std::string text = m.Text();
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_certificate_expiry_seconds{cert=\"server\"} -60\n"));
  EXPECT_THAT(text, HasSubstr("{cert=\"client_ca\"} 31535840\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE secretsync_agent_certificate_expiry_seconds gauge"));
}

// A coordinator whose observer is the metrics under test.
struct CoordinatorFixture {
  StdFakeClock clock;
  AgentMetrics m{clock};
  FakeSyncService service{{"web"}};
  NullLogSink log;
  SyncCoordinator coordinator{service, clock, log, 16, m};
};

// Three calls while a sync is held: the first runs alone, the other two share
// the follow-up (one of them coalesced).
TEST(AgentMetricsTest, CoordinatorReportsInFlightCoalescedDurationAndLastSuccess) {
  CoordinatorFixture f;
  auto& [clock, m, service, log, coordinator] = f;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  auto count = [&](absl::StatusOr<secretsync::v1::SyncReport> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    std::lock_guard<std::mutex> l(mu);
    ++done;
    cv.notify_all();
  };
  SyncCall call;
  call.caller = "central";
  service.Hold();
  coordinator.Start(call, absl::InfiniteFuture(), count);
  service.AwaitRunning(1);
  EXPECT_THAT(m.Text(), HasSubstr("secretsync_agent_syncs_in_flight 1\n"));
  coordinator.Start(call, absl::InfiniteFuture(), count);
  coordinator.Start(call, absl::InfiniteFuture(), count);
  ASSERT_EQ(coordinator.Waiting("web", false), 2);
  service.Release();
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done == 3; });
  }
  const std::string text = m.Text();
  EXPECT_EQ(service.runs(), 2);
  EXPECT_THAT(text, HasSubstr("secretsync_agent_syncs_in_flight 0\n"));
  EXPECT_THAT(text, HasSubstr("secretsync_agent_coalesced_calls_total 1\n"));
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_sync_duration_seconds_count{deployment=\"web\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("secretsync_agent_sync_duration_seconds_bucket{deployment=\"web\","
                              "le=\"0.01\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("secretsync_agent_last_success_timestamp_seconds{deployment=\"web\"} "
                              "1800000000\n"));
  EXPECT_THAT(text, Not(HasSubstr(FakeSyncService::kCanary)));
}

TEST(AgentMetricsTest, FailedAndDryRunSyncsLeaveTheLastSuccessUnset) {
  CoordinatorFixture f;
  auto& [clock, m, service, log, coordinator] = f;
  SyncCall call;
  call.caller = "central";
  service.SetExitCode(75);
  ASSERT_TRUE(coordinator.Sync(call).ok());
  service.SetExitCode(0);
  call.dry_run = true;
  ASSERT_TRUE(coordinator.Sync(call).ok());
  const std::string text = m.Text();
  EXPECT_THAT(text,
              HasSubstr("secretsync_agent_sync_duration_seconds_count{deployment=\"web\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("secretsync_agent_last_success_timestamp_seconds{")));
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

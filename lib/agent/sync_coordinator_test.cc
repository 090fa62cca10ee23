// SyncCoordinator: single flight, one follow-up, request ids, status, stop.
#include "lib/agent/sync_coordinator.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/base/clock.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace agent {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

// A log sink on std::mutex (TSan cannot see absl::Mutex in Debian's abseil).
class LinesSink : public LogSink {
 public:
  void Write(absl::string_view line) override {
    std::lock_guard<std::mutex> l(mu_);
    text_.append(line.data(), line.size()).append("\n");
  }
  std::string text() const {
    std::lock_guard<std::mutex> l(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

SyncCall Call(std::string request_id = "", std::string deployment = "") {
  SyncCall c;
  c.caller = "central";
  c.request_id = std::move(request_id);
  c.deployment = std::move(deployment);
  return c;
}

struct Fixture {
  FakeSyncService service{{"web", "worker"}};
  RealClock clock;
  LinesSink log;
  SyncCoordinator coordinator{service, clock, log, /*request_cache_size=*/2};
};

TEST(SyncCoordinatorTest, RunsTheDefaultDeploymentAndReportsIt) {
  Fixture f;
  absl::StatusOr<secretsync::v1::SyncReport> r = f.coordinator.Sync(Call());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->output_path(), "/srv/web/.env");
  EXPECT_EQ(f.service.runs(), 1);
  EXPECT_THAT(f.log.text(), HasSubstr("agent.sync deployment=web"));
}

TEST(SyncCoordinatorTest, ThousandConcurrentTriggersRunAtMostTwice) {
  Fixture f;
  f.service.Hold();
  constexpr int kCalls = 1000;
  std::atomic<int> reports{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] { reports += f.coordinator.Sync(Call()).ok(); });
  f.service.AwaitRunning(1);
  for (int i = 1; i < kCalls; ++i) {
    threads.emplace_back([&] { reports += f.coordinator.Sync(Call()).ok(); });
  }
  while (f.coordinator.Waiting("web", false) < kCalls - 1) std::this_thread::yield();
  f.service.Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(reports.load(), kCalls);
  EXPECT_EQ(f.service.runs(), 2);
}

TEST(SyncCoordinatorTest, DeploymentsDoNotWaitForEachOther) {
  Fixture f;
  f.service.Hold();
  std::thread a([&] { EXPECT_THAT(f.coordinator.Sync(Call("", "web")), IsOk()); });
  std::thread b([&] { EXPECT_THAT(f.coordinator.Sync(Call("", "worker")), IsOk()); });
  f.service.AwaitRunning(2);  // both run at once
  f.service.Release();
  a.join();
  b.join();
  EXPECT_EQ(f.service.runs(), 2);
}

TEST(SyncCoordinatorTest, RepeatedRequestIdReturnsTheFirstReport) {
  Fixture f;
  absl::StatusOr<secretsync::v1::SyncReport> first = f.coordinator.Sync(Call("req-1"));
  absl::StatusOr<secretsync::v1::SyncReport> again = f.coordinator.Sync(Call("req-1"));
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(f.service.runs(), 1);
  EXPECT_EQ(first->duration_ms(), again->duration_ms());
  EXPECT_THAT(f.coordinator.Sync(Call("req-2")), IsOk());
  EXPECT_EQ(f.service.runs(), 2);
}

TEST(SyncCoordinatorTest, FailedReportIsNotCachedSoARetryWithTheSameIdSyncsAgain) {
  Fixture f;
  for (int code : {75, 79}) {
    f.service.SetExitCode(code);
    absl::StatusOr<secretsync::v1::SyncReport> failed = f.coordinator.Sync(Call("retry-1"));
    ASSERT_THAT(failed, IsOk());
    EXPECT_EQ(failed->exit_code(), code);
  }
  EXPECT_EQ(f.service.runs(), 2);
  f.service.SetExitCode(0);
  absl::StatusOr<secretsync::v1::SyncReport> retried = f.coordinator.Sync(Call("retry-1"));
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(retried->exit_code(), 0);
  EXPECT_EQ(f.service.runs(), 3);
  // The success is final: one more retry gets it back without a sync.
  ASSERT_THAT(f.coordinator.Sync(Call("retry-1")), IsOk());
  EXPECT_EQ(f.service.runs(), 3);
  EXPECT_THAT(f.log.text(), HasSubstr("request_id=retry-1"));
}

TEST(SyncCoordinatorTest, RequestIdCacheIsBoundedAndPerCaller) {
  Fixture f;  // capacity 2
  ASSERT_THAT(f.coordinator.Sync(Call("a")), IsOk());
  ASSERT_THAT(f.coordinator.Sync(Call("b")), IsOk());
  ASSERT_THAT(f.coordinator.Sync(Call("c")), IsOk());  // evicts "a"
  ASSERT_THAT(f.coordinator.Sync(Call("a")), IsOk());
  EXPECT_EQ(f.service.runs(), 4);
  SyncCall other = Call("c");
  other.caller = "someone-else";
  ASSERT_THAT(f.coordinator.Sync(other), IsOk());
  EXPECT_EQ(f.service.runs(), 5);
}

TEST(SyncCoordinatorTest, RejectsBadFieldsAndUnknownDeployments) {
  Fixture f;
  EXPECT_THAT(f.coordinator.Sync(Call(std::string(129, 'x'))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(f.coordinator.Sync(Call("a b")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(f.coordinator.Sync(Call("", "db")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("deployment \"db\"")));
  EXPECT_EQ(f.service.runs(), 0);
}

TEST(SyncCoordinatorTest, StatusRecordsAttemptsSuccessesAndFailures) {
  Fixture f;
  ASSERT_THAT(f.coordinator.Sync(Call()), IsOk());
  f.service.SetExitCode(75);
  ASSERT_THAT(f.coordinator.Sync(Call()), IsOk());
  auto all = f.coordinator.Status("");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 2u);
  const auto& web = (*all)[0];
  EXPECT_EQ(web.deployment(), "web");
  EXPECT_EQ(web.runs(), 2);
  EXPECT_EQ(web.last_exit_code(), 75);
  EXPECT_EQ(web.last_error(), "infisical: unavailable");
  EXPECT_GT(web.last_success_unix_ms(), 0);
  EXPECT_GE(web.last_attempt_unix_ms(), web.last_success_unix_ms());
  EXPECT_EQ(web.content_sha256(), std::string(64, 'a'));
  EXPECT_FALSE(web.running());
  EXPECT_EQ((*all)[1].runs(), 0);
  EXPECT_THAT(f.coordinator.Status("nope"), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST(SyncCoordinatorTest, ServiceErrorsAreReturnedAndNotCached) {
  Fixture f;
  f.service.FailWith(absl::UnavailableError("lock: busy"));
  EXPECT_THAT(f.coordinator.Sync(Call("r")), StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  f.service.FailWith(absl::OkStatus());
  EXPECT_THAT(f.coordinator.Sync(Call("r")), IsOk());
  EXPECT_EQ(f.service.runs(), 2);
}

TEST(SyncCoordinatorTest, StopAcceptingLetsTheRunningSyncFinishAndRefusesTheRest) {
  Fixture f;
  f.service.Hold();
  absl::StatusOr<secretsync::v1::SyncReport> first, waiter;
  std::thread a([&] { first = f.coordinator.Sync(Call()); });
  f.service.AwaitRunning(1);
  std::thread b([&] { waiter = f.coordinator.Sync(Call()); });
  while (f.coordinator.Waiting("web", false) < 1) std::this_thread::yield();
  f.coordinator.StopAccepting();
  f.service.Release();
  a.join();
  b.join();
  EXPECT_THAT(first, IsOk());
  EXPECT_THAT(waiter, StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_EQ(f.service.runs(), 1);
  EXPECT_THAT(f.coordinator.Sync(Call()), StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

// A call's outcome, filled by its SyncDone on whichever thread runs it.
class Outcome {
 public:
  SyncDone Done() {
    return [this](absl::StatusOr<secretsync::v1::SyncReport> r) {
      std::lock_guard<std::mutex> l(mu_);
      result_ = std::move(r);
      done_ = true;
      cv_.notify_all();
    };
  }
  bool done() const {
    std::lock_guard<std::mutex> l(mu_);
    return done_;
  }
  absl::StatusOr<secretsync::v1::SyncReport> Wait() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return done_; });
    return result_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  absl::StatusOr<secretsync::v1::SyncReport> result_;
};

struct FakeClockFixture {
  FakeSyncService service{{"web", "worker"}};
  FakeClock clock;
  LinesSink log;
  SyncCoordinator coordinator{service, clock, log};
  absl::Time In(absl::Duration d) { return clock.TimeNow() + d; }
};

TEST(SyncCoordinatorTest, WaiterPastItsDeadlineGetsDeadlineExceededAndNoFollowUpRuns) {
  FakeClockFixture f;
  f.service.Hold();
  Outcome first, late;
  f.coordinator.Start(Call(), absl::InfiniteFuture(), first.Done());
  f.service.AwaitRunning(1);
  f.coordinator.Start(Call(), f.In(absl::Seconds(5)), late.Done());
  EXPECT_EQ(f.coordinator.Waiting("web", false), 1);
  f.clock.Advance(absl::Seconds(6));
  f.coordinator.ExpireDeadlines();
  // At once, while the first sync still runs.
  ASSERT_TRUE(late.done());
  EXPECT_THAT(late.Wait(), StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
  EXPECT_EQ(f.coordinator.Waiting("web", false), 0);
  f.service.Release();
  EXPECT_THAT(first.Wait(), IsOk());
  f.coordinator.WaitIdle();
  EXPECT_EQ(f.service.runs(), 1);
}

TEST(SyncCoordinatorTest, DeadlinePassedWhileQueuedEndsTheCallWhenTheRunningSyncEnds) {
  FakeClockFixture f;
  f.service.Hold();
  Outcome first, late;
  f.coordinator.Start(Call(), absl::InfiniteFuture(), first.Done());
  f.service.AwaitRunning(1);
  f.coordinator.Start(Call(), f.In(absl::Seconds(5)), late.Done());
  f.clock.Advance(absl::Seconds(6));
  f.service.Release();  // nobody called ExpireDeadlines: the worker checks
  EXPECT_THAT(first.Wait(), IsOk());
  EXPECT_THAT(late.Wait(), StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
  f.coordinator.WaitIdle();
  EXPECT_EQ(f.service.runs(), 1);
}

TEST(SyncCoordinatorTest, CancelledWaitersDoNotHoldTheFollowUpButALiveOneDoes) {
  FakeClockFixture f;
  f.service.Hold();
  Outcome first, gone, live;
  f.coordinator.Start(Call(), absl::InfiniteFuture(), first.Done());
  f.service.AwaitRunning(1);
  const uint64_t ticket = f.coordinator.Start(Call("req-c"), absl::InfiniteFuture(), gone.Done());
  f.coordinator.Cancel(ticket);
  ASSERT_TRUE(gone.done());
  EXPECT_THAT(gone.Wait(), StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  f.coordinator.Cancel(ticket);  // twice: a no-op
  f.service.Release();
  EXPECT_THAT(first.Wait(), IsOk());
  f.coordinator.WaitIdle();
  EXPECT_EQ(f.service.runs(), 1);  // the cancelled call's follow-up never ran

  f.service.Hold();
  Outcome second, expiring;
  f.coordinator.Start(Call(), absl::InfiniteFuture(), second.Done());
  f.service.AwaitRunning(1);
  f.coordinator.Start(Call("req-c"), f.In(absl::Seconds(1)), expiring.Done());
  f.coordinator.Start(Call(), absl::InfiniteFuture(), live.Done());
  f.clock.Advance(absl::Seconds(2));
  f.coordinator.ExpireDeadlines();
  EXPECT_THAT(expiring.Wait(), StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::_));
  f.service.Release();
  EXPECT_THAT(second.Wait(), IsOk());
  EXPECT_THAT(live.Wait(), IsOk());
  EXPECT_EQ(f.service.runs(), 3);
}

TEST(SyncCoordinatorTest, LogCarriesNoSecretValue) {
  Fixture f;
  ASSERT_THAT(f.coordinator.Sync(Call()), IsOk());
  EXPECT_EQ(f.log.text().find(FakeSyncService::kCanary), std::string::npos);
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

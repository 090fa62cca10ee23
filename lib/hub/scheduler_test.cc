// Scheduler: debounce, single flight plus one follow-up, retry backoff, all on
// a FakeClock.
#include "lib/hub/scheduler.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace hub {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : sched_(2, SchedulerOptions()) {}
  absl::Time Now() { return clock_.TimeNow(); }
  void Advance(absl::Duration d) { clock_.Advance(d); }
  std::vector<Job> Take() { return sched_.TakeDue(Now()); }

  FakeClock clock_;
  Scheduler sched_;
};

TEST_F(SchedulerTest, OneDeliveryStartsAfterTheDebounce) {
  sched_.Deliver(0, Now());
  EXPECT_EQ(sched_.NextWake(), Now() + absl::Milliseconds(500));
  Advance(absl::Milliseconds(499));
  EXPECT_THAT(Take(), IsEmpty());
  Advance(absl::Milliseconds(1));
  std::vector<Job> jobs = Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].route, 0u);
  EXPECT_EQ(jobs[0].fanout, 1u);
  EXPECT_EQ(jobs[0].attempt, 0);
  EXPECT_THAT(jobs[0].only_hosts, IsEmpty());
  EXPECT_TRUE(sched_.Counts(0).in_flight);
}

TEST_F(SchedulerTest, EachDeliveryExtendsTheDebounce) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(300));
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(300));
  EXPECT_THAT(Take(), IsEmpty());
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(499));
  EXPECT_THAT(Take(), IsEmpty());
  Advance(absl::Milliseconds(1));
  EXPECT_EQ(Take().size(), 1u);
}

TEST_F(SchedulerTest, MaxDelayBoundsAnEndlessStream) {
  const absl::Time start = Now();
  int started = 0;
  while (Now() - start < absl::Seconds(6) && started == 0) {
    sched_.Deliver(0, Now());
    started += static_cast<int>(Take().size());
    Advance(absl::Milliseconds(100));
  }
  EXPECT_EQ(started, 1);
  EXPECT_LE(Now() - start, absl::Milliseconds(5100));
}

TEST_F(SchedulerTest, FloodMakesAtMostTwoFanouts) {
  // 1,000 deliveries over one second; fan-outs take 200 ms each.
  int fanouts = 0;
  absl::Time done_at = absl::InfiniteFuture();
  for (int i = 0; i < 1000 || sched_.NextWake() != absl::InfiniteFuture() ||
                  done_at != absl::InfiniteFuture();
       ++i) {
    if (i < 1000) sched_.Deliver(0, Now());
    if (Now() >= done_at) {
      sched_.Done(0, {}, Now());
      done_at = absl::InfiniteFuture();
    }
    for (const Job& j : Take()) {
      EXPECT_EQ(j.attempt, 0);
      ++fanouts;
      done_at = Now() + absl::Milliseconds(200);
    }
    Advance(absl::Milliseconds(1));
    ASSERT_LT(i, 100000);
  }
  EXPECT_LE(fanouts, 2);
  EXPECT_GE(fanouts, 1);
  EXPECT_EQ(sched_.Counts(0).deliveries, 1000u);
}

TEST_F(SchedulerTest, DeliveriesDuringAFlightMakeOneFollowUp) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  ASSERT_EQ(Take().size(), 1u);
  for (int i = 0; i < 50; ++i) {
    sched_.Deliver(0, Now());
    Advance(absl::Milliseconds(100));
  }
  // In flight: nothing else starts, however long it runs.
  EXPECT_THAT(Take(), IsEmpty());
  EXPECT_EQ(sched_.NextWake(), absl::InfiniteFuture());
  EXPECT_TRUE(sched_.Counts(0).pending);
  sched_.Done(0, {}, Now());
  // The follow-up's deliveries are older than max_delay: it starts now.
  std::vector<Job> jobs = Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].fanout, 2u);
  sched_.Done(0, {}, Now());
  Advance(absl::Minutes(10));
  EXPECT_THAT(Take(), IsEmpty());
  EXPECT_EQ(sched_.Counts(0).fanouts, 2u);
}

TEST_F(SchedulerTest, RetriesFailedHostsWithDoublingBackoffWithinTheBudget) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  ASSERT_EQ(Take().size(), 1u);
  sched_.Done(0, {"h2:1", "h3:1"}, Now());
  std::vector<absl::Duration> delays;
  std::vector<Job> jobs;
  while (sched_.NextWake() != absl::InfiniteFuture()) {
    delays.push_back(sched_.NextWake() - Now());
    Advance(sched_.NextWake() - Now());
    jobs = Take();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_THAT(jobs[0].only_hosts, ElementsAre("h2:1", "h3:1"));
    EXPECT_EQ(jobs[0].fanout, 1u);
    sched_.Done(0, {"h2:1", "h3:1"}, Now());
  }
  // 1+2+4+8+16+32+60+60+60 = 243 s; the next (303 s) is past the 5 min budget.
  EXPECT_THAT(delays, ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4),
                                  absl::Seconds(8), absl::Seconds(16), absl::Seconds(32),
                                  absl::Seconds(60), absl::Seconds(60), absl::Seconds(60)));
  EXPECT_EQ(jobs[0].attempt, 9);
  EXPECT_EQ(sched_.Counts(0).retries, 9u);
  EXPECT_EQ(sched_.Counts(0).gave_up, 1u);
}

TEST_F(SchedulerTest, RetryStopsWhenTheHostsRecover) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  Take();
  sched_.Done(0, {"h2:1"}, Now());
  Advance(absl::Seconds(1));
  ASSERT_EQ(Take().size(), 1u);
  sched_.Done(0, {}, Now());
  EXPECT_EQ(sched_.NextWake(), absl::InfiniteFuture());
  EXPECT_EQ(sched_.Counts(0).gave_up, 0u);
}

TEST_F(SchedulerTest, NewDeliveryReplacesPendingRetries) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  Take();
  sched_.Done(0, {"h2:1"}, Now());
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  std::vector<Job> jobs = Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].attempt, 0);
  EXPECT_EQ(jobs[0].fanout, 2u);
  EXPECT_THAT(jobs[0].only_hosts, IsEmpty());
}

TEST_F(SchedulerTest, RoutesAreIndependent) {
  sched_.Deliver(0, Now());
  Advance(absl::Milliseconds(500));
  ASSERT_EQ(Take().size(), 1u);
  sched_.Deliver(1, Now());
  Advance(absl::Milliseconds(500));
  std::vector<Job> jobs = Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].route, 1u);
  EXPECT_EQ(sched_.Counts(1).fanouts, 1u);
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

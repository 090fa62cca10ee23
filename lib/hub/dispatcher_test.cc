// Dispatcher: jobs run on their threads with the right hosts and request ids;
// time moves only through a FakeClock (no sleeping).
#include "lib/hub/dispatcher.h"

#include <string>
#include <vector>

#include <mutex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/base/clock.h"

namespace secretsync {
namespace hub {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// FakeClock's twin on std::mutex (visible to ThreadSanitizer, unlike
// Debian's uninstrumented absl::Mutex): time moves only by Advance.
class StdFakeClock : public Clock {
 public:
  absl::Time TimeNow() override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void Sleep(absl::Duration d) override { Advance(d); }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> l(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
};

struct Call {
  size_t route;
  std::vector<std::string> hosts;
  std::string request_id;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest()
      : book_({"web"}, 10),
        dispatcher_({{{"127.0.0.1:1", ""}, {"127.0.0.1:2", ""}}}, {"web"}, SchedulerOptions(),
                    DispatcherDeps{clock_, log_, random_, book_,
                                   [this](size_t route, const std::vector<fanout::HostEntry>& hosts,
                                          const std::string& id) {
                                     return Fanout(route, hosts, id);
                                   }}) {
    dispatcher_.Start();
  }

  std::vector<fanout::HostResult> Fanout(size_t route, const std::vector<fanout::HostEntry>& hosts,
                                         const std::string& id) {
    std::lock_guard<std::mutex> l(mu_);
    Call call{route, {}, id};
    std::vector<fanout::HostResult> rows;
    for (const auto& h : hosts) {
      call.hosts.push_back(h.target);
      fanout::HostResult r;
      r.host = h.target;
      r.outcome = h.target == unreachable_ ? fanout::Outcome::kUnreachable : fanout::Outcome::kOk;
      rows.push_back(r);
    }
    calls_.push_back(call);
    return rows;
  }

  void AwaitIdle(uint64_t fanouts, uint64_t retries) {
    dispatcher_.AwaitCounts([&](const std::vector<RouteCounts>& c) {
      return c[0].fanouts == fanouts && c[0].retries == retries && !c[0].in_flight;
    });
  }

  StdFakeClock clock_;
  CapturingLogSink log_;
  OsRandomSource random_;
  StatusBook book_;
  std::mutex mu_;
  std::vector<Call> calls_;
  std::string unreachable_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherTest, ManyDeliveriesMakeOneFanoutToEveryHost) {
  for (int i = 0; i < 100; ++i) dispatcher_.Deliver(0);
  clock_.Advance(absl::Milliseconds(500));
  dispatcher_.Wake();
  AwaitIdle(1, 0);
  dispatcher_.Stop();
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_THAT(calls_[0].hosts, ElementsAre("127.0.0.1:1", "127.0.0.1:2"));
  EXPECT_THAT(calls_[0].request_id, StartsWith("hub-"));
  EXPECT_THAT(log_.Joined(), HasSubstr("hub.fanout.done route=web request_id=" +
                                       calls_[0].request_id + " ok=2 hosts=2 retry=0"));
  EXPECT_THAT(book_.Json(dispatcher_.Counts()), HasSubstr("\"deliveries\": 100"));
}

TEST_F(DispatcherTest, RetriesOnlyTheUnreachableHostWithTheSameRequestId) {
  {
    std::lock_guard<std::mutex> l(mu_);
    unreachable_ = "127.0.0.1:2";
  }
  dispatcher_.Deliver(0);
  clock_.Advance(absl::Milliseconds(500));
  dispatcher_.Wake();
  AwaitIdle(1, 0);
  {
    std::lock_guard<std::mutex> l(mu_);
    unreachable_.clear();
  }
  clock_.Advance(absl::Seconds(1));
  dispatcher_.Wake();
  AwaitIdle(1, 1);
  dispatcher_.Stop();
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_THAT(calls_[1].hosts, ElementsAre("127.0.0.1:2"));
  EXPECT_EQ(calls_[1].request_id, calls_[0].request_id);
  const std::string status = book_.Json(dispatcher_.Counts());
  EXPECT_THAT(status, HasSubstr("\"attempt\": 1"));
  EXPECT_THAT(status, HasSubstr("\"result\": \"ok\""));
}

TEST(IsRetryableTest, OnlyTemporaryFailures) {
  fanout::HostResult r;
  r.outcome = fanout::Outcome::kUnreachable;
  EXPECT_TRUE(IsRetryable(r));
  r.outcome = fanout::Outcome::kFailed;
  r.exit_code = 75;
  EXPECT_TRUE(IsRetryable(r));
  r.exit_code = 65;
  EXPECT_FALSE(IsRetryable(r));
  r.outcome = fanout::Outcome::kRefused;
  r.rpc_code = absl::StatusCode::kPermissionDenied;
  EXPECT_FALSE(IsRetryable(r));
  r.rpc_code = absl::StatusCode::kResourceExhausted;
  EXPECT_TRUE(IsRetryable(r));
  r.outcome = fanout::Outcome::kOk;
  EXPECT_FALSE(IsRetryable(r));
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

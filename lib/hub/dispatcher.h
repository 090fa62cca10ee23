// Runs the hub's fan-outs on their own threads, when the Scheduler says so,
// and records them in the StatusBook and the log.
#ifndef SECRETSYNC_LIB_HUB_DISPATCHER_H_
#define SECRETSYNC_LIB_HUB_DISPATCHER_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <condition_variable>
#include <mutex>

#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/fanout/agent_client.h"
#include "lib/fanout/host_list.h"
#include "lib/hub/scheduler.h"
#include "lib/hub/status_book.h"

namespace secretsync {
namespace hub {

// Calls Sync on `hosts` for `route` with `request_id` and returns one row per
// host (lib/fanout's FanOut + SyncHost in the hub; a fake in tests).
using FanoutFn = std::function<std::vector<fanout::HostResult>(
    size_t route, const std::vector<fanout::HostEntry>& hosts, const std::string& request_id)>;

// A host worth calling again: unreachable, rate limited, or its sync failed
// with the temporary code 75.
bool IsRetryable(const fanout::HostResult& r);

struct DispatcherDeps {
  Clock& clock;
  LogSink& log;
  RandomSource& random;
  StatusBook& book;
  FanoutFn fanout;
};

// Owns one loop thread (started by Start) and at most one fan-out thread per
// route. The loop sleeps until the scheduler's next wake-up (read from the
// Clock, waited for in real time, cut short by Deliver and Wake).
// Thread-safe; Stop (or the destructor) waits for running fan-outs.
class Dispatcher {
 public:
  Dispatcher(std::vector<std::vector<fanout::HostEntry>> route_hosts,
             std::vector<std::string> route_names, SchedulerOptions options, DispatcherDeps deps);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  void Deliver(size_t route);
  // Re-reads the clock now (tests call it after advancing a FakeClock).
  void Wake();
  void Stop();
  std::vector<RouteCounts> Counts() const;
  // Blocks until `done(counts)` holds (tests; no sleeping).
  void AwaitCounts(const std::function<bool(const std::vector<RouteCounts>&)>& done) const;

 private:
  void Loop();
  void Run(Job job);
  std::string NewRequestId();

  const std::vector<std::vector<fanout::HostEntry>> route_hosts_;
  const std::vector<std::string> route_names_;
  DispatcherDeps deps_;
  // std::mutex rather than absl::Mutex: Debian's abseil is not instrumented,
  // so ThreadSanitizer would not see its locking.
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // any change of the fields below
  Scheduler scheduler_;                 // guarded by mu_
  std::vector<std::string> request_ids_;  // guarded by mu_; per route, of its last fan-out
  std::vector<std::thread> workers_;      // guarded by mu_; per route
  bool stop_ = false;                     // guarded by mu_
  bool poke_ = false;                     // guarded by mu_
  std::thread loop_;
};

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_DISPATCHER_H_

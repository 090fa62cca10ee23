// The hub's per-route timing: debounce, single flight plus one follow-up, and
// bounded retries of failed hosts with exponential backoff. A pure state
// machine: callers pass the time in, so tests drive it without threads.
#ifndef SECRETSYNC_LIB_HUB_SCHEDULER_H_
#define SECRETSYNC_LIB_HUB_SCHEDULER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace secretsync {
namespace hub {

struct SchedulerOptions {
  absl::Duration debounce = absl::Milliseconds(500);   // quiet time after the last delivery
  absl::Duration max_delay = absl::Seconds(5);         // never hold a change longer than this
  absl::Duration retry_initial = absl::Seconds(1);     // first retry delay, doubled each time
  absl::Duration retry_max = absl::Seconds(60);        // longest retry delay
  absl::Duration retry_budget = absl::Minutes(5);      // from the fan-out's start
};

// One fan-out to start now.
struct Job {
  size_t route = 0;
  uint64_t fanout = 0;  // the route's fan-out number, 1, 2, ...; a retry keeps it
  int attempt = 0;      // 0: all hosts; n > 0: the n-th retry of the failed ones
  std::vector<std::string> only_hosts;  // for a retry: the targets to call again
};

struct RouteCounts {
  uint64_t deliveries = 0;
  uint64_t fanouts = 0;   // started with attempt 0
  uint64_t retries = 0;   // started with attempt > 0
  uint64_t gave_up = 0;   // retry budgets exhausted with hosts still failing
  bool in_flight = false;
  bool pending = false;   // a delivery waits (debounce, or the follow-up)
};

// Per route: a delivery starts (or extends) a debounce: the fan-out starts
// `debounce` after the last delivery, but at most `max_delay` after the first
// one it covers. While a fan-out is in flight, deliveries mark one follow-up
// (any number coalesce into it), which starts when the flight ends and its own
// debounce allows. A finished fan-out with failed hosts retries just those
// after retry_initial, then 2x, ... up to retry_max, while the next start is
// within retry_budget of the fan-out's start; a new fan-out of the route
// replaces pending retries (it calls every host). Not thread-safe.
class Scheduler {
 public:
  Scheduler(size_t routes, SchedulerOptions options);

  // Records a delivery for `route` at `now`.
  void Deliver(size_t route, absl::Time now);
  // Returns the jobs due at `now` and marks their routes in flight.
  std::vector<Job> TakeDue(absl::Time now);
  // Ends the flight of `route`; `failed` are the targets to retry (empty: all ok).
  void Done(size_t route, const std::vector<std::string>& failed, absl::Time now);
  // The earliest time a job may become due; InfiniteFuture when none waits.
  absl::Time NextWake() const;
  RouteCounts Counts(size_t route) const;

 private:
  struct Route {
    RouteCounts counts;
    absl::Time first, last;   // of the pending deliveries
    absl::Time flight_start;  // of the fan-out whose hosts are retried
    std::vector<std::string> retry_hosts;
    absl::Time retry_at = absl::InfiniteFuture();
    absl::Duration backoff;
    int attempt = 0;
  };
  absl::Time DueAt(const Route& r) const;

  SchedulerOptions options_;
  std::vector<Route> routes_;
};

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_SCHEDULER_H_

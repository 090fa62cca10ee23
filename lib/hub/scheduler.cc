// Scheduler: debounce, single flight plus follow-up, retry backoff.
#include "lib/hub/scheduler.h"

#include <algorithm>

namespace secretsync {
namespace hub {

Scheduler::Scheduler(size_t routes, SchedulerOptions options)
    : options_(options), routes_(routes) {}

void Scheduler::Deliver(size_t route, absl::Time now) {
  Route& r = routes_[route];
  ++r.counts.deliveries;
  if (!r.counts.pending) {
    r.counts.pending = true;
    r.first = now;
  }
  r.last = now;
}

absl::Time Scheduler::DueAt(const Route& r) const {
  if (r.counts.in_flight) return absl::InfiniteFuture();
  if (r.counts.pending) {
    return std::min(r.last + options_.debounce, r.first + options_.max_delay);
  }
  return r.retry_hosts.empty() ? absl::InfiniteFuture() : r.retry_at;
}

std::vector<Job> Scheduler::TakeDue(absl::Time now) {
  std::vector<Job> jobs;
  for (size_t i = 0; i < routes_.size(); ++i) {
    Route& r = routes_[i];
    if (DueAt(r) > now) continue;
    Job job;
    job.route = i;
    if (r.counts.pending) {
      r.counts.pending = false;
      r.retry_hosts.clear();
      r.retry_at = absl::InfiniteFuture();
      r.attempt = 0;
      r.flight_start = now;
      ++r.counts.fanouts;
    } else {
      job.only_hosts = r.retry_hosts;
      ++r.attempt;
      ++r.counts.retries;
    }
    job.fanout = r.counts.fanouts;
    job.attempt = r.attempt;
    r.counts.in_flight = true;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

void Scheduler::Done(size_t route, const std::vector<std::string>& failed, absl::Time now) {
  Route& r = routes_[route];
  r.counts.in_flight = false;
  r.retry_hosts = failed;
  r.retry_at = absl::InfiniteFuture();
  if (failed.empty()) return;
  r.backoff = r.attempt == 0 ? options_.retry_initial
                             : std::min(r.backoff * 2, options_.retry_max);
  const absl::Time at = now + r.backoff;
  if (at > r.flight_start + options_.retry_budget) {
    r.retry_hosts.clear();
    ++r.counts.gave_up;
    return;
  }
  r.retry_at = at;
}

absl::Time Scheduler::NextWake() const {
  absl::Time t = absl::InfiniteFuture();
  for (const Route& r : routes_) t = std::min(t, DueAt(r));
  return t;
}

RouteCounts Scheduler::Counts(size_t route) const { return routes_[route].counts; }

}  // namespace hub
}  // namespace secretsync

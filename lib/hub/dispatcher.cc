// Dispatcher: the loop thread that turns scheduler decisions into fan-outs.
#include "lib/hub/dispatcher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"

namespace secretsync {
namespace hub {

bool IsRetryable(const fanout::HostResult& r) {
  switch (r.outcome) {
    case fanout::Outcome::kUnreachable:
      return true;
    case fanout::Outcome::kRefused:
      return r.rpc_code == absl::StatusCode::kResourceExhausted;
    case fanout::Outcome::kFailed:
      return r.exit_code == kExitTempFail;
    default:
      return false;
  }
}

Dispatcher::Dispatcher(std::vector<std::vector<fanout::HostEntry>> route_hosts,
                       std::vector<std::string> route_names, SchedulerOptions options,
                       DispatcherDeps deps)
    : route_hosts_(std::move(route_hosts)),
      route_names_(std::move(route_names)),
      deps_(std::move(deps)),
      scheduler_(route_hosts_.size(), options),
      request_ids_(route_hosts_.size()),
      workers_(route_hosts_.size()) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() { loop_ = std::thread([this] { Loop(); }); }

void Dispatcher::Deliver(size_t route) {
  std::lock_guard<std::mutex> l(mu_);
  scheduler_.Deliver(route, deps_.clock.TimeNow());
  poke_ = true;
  cv_.notify_all();
}

void Dispatcher::Wake() {
  std::lock_guard<std::mutex> l(mu_);
  poke_ = true;
  cv_.notify_all();
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (loop_.joinable()) loop_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) {
    if (t.joinable()) t.join();
  }
}

std::vector<RouteCounts> Dispatcher::Counts() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<RouteCounts> out;
  for (size_t i = 0; i < route_hosts_.size(); ++i) out.push_back(scheduler_.Counts(i));
  return out;
}

void Dispatcher::AwaitCounts(
    const std::function<bool(const std::vector<RouteCounts>&)>& done) const {
  auto cond = [&] {
    std::vector<RouteCounts> c;
    for (size_t i = 0; i < route_hosts_.size(); ++i) c.push_back(scheduler_.Counts(i));
    return done(c);
  };
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, cond);
}

std::string Dispatcher::NewRequestId() {
  uint8_t bytes[8] = {};
  if (!deps_.random.Fill(bytes, sizeof(bytes)).ok()) {
    static std::atomic<uint64_t> n{0};
    return absl::StrCat("hub-n", ++n);
  }
  return absl::StrCat("hub-", absl::BytesToHexString(absl::string_view(
                                  reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

void Dispatcher::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    for (Job& job : scheduler_.TakeDue(deps_.clock.TimeNow())) {
      std::thread& slot = workers_[job.route];
      // The route's previous worker has called Done (else no job): it is exiting.
      if (slot.joinable()) slot.join();
      if (job.attempt == 0) request_ids_[job.route] = NewRequestId();
      slot = std::thread([this, job = std::move(job)]() mutable { Run(std::move(job)); });
    }
    const absl::Time wake = scheduler_.NextWake();
    const absl::Duration wait =
        std::clamp(wake - deps_.clock.TimeNow(), absl::ZeroDuration(), absl::Seconds(1));
    poke_ = false;
    cv_.wait_for(l, absl::ToChronoMilliseconds(wait) + std::chrono::milliseconds(1),
                 [this] { return poke_ || stop_; });
  }
}

void Dispatcher::Run(Job job) {
  std::string request_id;
  {
    std::lock_guard<std::mutex> l(mu_);
    request_id = request_ids_[job.route];
  }
  std::vector<fanout::HostEntry> hosts;
  const std::set<std::string> only(job.only_hosts.begin(), job.only_hosts.end());
  for (const fanout::HostEntry& h : route_hosts_[job.route]) {
    if (only.empty() || only.count(h.target) > 0) hosts.push_back(h);
  }
  const std::string& name = route_names_[job.route];
  Logger log(deps_.log);
  log.Info("hub.fanout")
      .Field("route", name)
      .Field("request_id", request_id)
      .Field("fanout", static_cast<long long>(job.fanout))
      .Field("attempt", job.attempt)
      .Field("hosts", static_cast<long long>(hosts.size()));
  FanoutRecord record;
  record.request_id = request_id;
  record.fanout = job.fanout;
  record.attempt = job.attempt;
  record.started = deps_.clock.TimeNow();
  record.hosts = deps_.fanout(job.route, hosts, request_id);
  record.ms = absl::ToInt64Milliseconds(deps_.clock.TimeNow() - record.started);
  std::vector<std::string> failed;
  int ok = 0;
  for (const fanout::HostResult& r : record.hosts) {
    if (r.outcome == fanout::Outcome::kOk) ++ok;
    if (IsRetryable(r)) failed.push_back(r.host);
    log.Info("hub.host")
        .Field("route", name)
        .Field("host", r.host)
        .Field("result", fanout::OutcomeName(r.outcome))
        .Field("exit", fanout::HostExitCode(r))
        .Field("ms", r.duration_ms)
        .Field("request_id", request_id);
  }
  log.Info("hub.fanout.done")
      .Field("route", name)
      .Field("request_id", request_id)
      .Field("ok", ok)
      .Field("hosts", static_cast<long long>(record.hosts.size()))
      .Field("retry", static_cast<long long>(failed.size()))
      .Field("ms", record.ms);
  deps_.book.SetFanout(job.route, std::move(record));
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t gave_up = scheduler_.Counts(job.route).gave_up;
  scheduler_.Done(job.route, failed, deps_.clock.TimeNow());
  if (scheduler_.Counts(job.route).gave_up > gave_up) {
    log.Warn("hub.retry.gave_up")
        .Field("route", name)
        .Field("request_id", request_id)
        .Field("hosts", static_cast<long long>(failed.size()));
  }
  poke_ = true;
  cv_.notify_all();
}

}  // namespace hub
}  // namespace secretsync

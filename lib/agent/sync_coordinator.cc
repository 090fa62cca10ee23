// SyncCoordinator: per (deployment, dry run) a generation counter, the calls
// waiting for a generation, and one worker thread, all under one mutex.
#include "lib/agent/sync_coordinator.h"

#include <algorithm>
#include <future>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace agent {
namespace {

constexpr size_t kMaxIdBytes = 128;

bool Printable(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

absl::Status CheckField(const std::string& value, absl::string_view field) {
  if (value.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": longer than 128 bytes"));
  }
  if (!Printable(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": only printable ASCII without spaces is allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

SyncCoordinator::SyncCoordinator(SyncService& service, Clock& clock, LogSink& log,
                                 size_t request_cache_size, AgentObserver& observer)
    : service_(service),
      clock_(clock),
      log_(log),
      observer_(observer),
      deployments_(service.Deployments()),
      cache_(request_cache_size),
      book_(deployments_) {}

SyncCoordinator::~SyncCoordinator() {
  StopAccepting();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [key, f] : flights_) {
      if (f.worker.joinable()) workers.push_back(std::move(f.worker));
    }
  }
  for (std::thread& t : workers) t.join();
}

absl::StatusOr<std::string> SyncCoordinator::Resolve(const std::string& deployment) const {
  if (deployments_.empty()) return absl::NotFoundError("agent: this host serves no deployment");
  if (deployment.empty()) return deployments_.front();
  if (std::find(deployments_.begin(), deployments_.end(), deployment) == deployments_.end()) {
    return absl::NotFoundError(
        absl::StrCat("deployment \"", deployment, "\": not served by this agent"));
  }
  return deployment;
}

uint64_t SyncCoordinator::Start(const SyncCall& call, absl::Time deadline, SyncDone done) {
  absl::Status bad = CheckField(call.request_id, "request_id");
  if (bad.ok()) bad = CheckField(call.deployment, "deployment");
  absl::StatusOr<std::string> deployment = Resolve(call.deployment);
  if (bad.ok() && !deployment.ok()) bad = deployment.status();
  if (!bad.ok()) {
    done(bad);
    return 0;
  }
  std::unique_lock<std::mutex> l(mu_);
  if (stopping_) {
    l.unlock();
    done(absl::UnavailableError("agent: shutting down"));
    return 0;
  }
  const Key key(*deployment, call.dry_run);
  Flight& f = flights_[key];
  if (!f.worker.joinable()) f.worker = std::thread(&SyncCoordinator::Work, this, key);
  // Whether a sync runs now or not, the one this call needs is the next to
  // start: a running one may have read the secrets before the caller's change.
  int64_t target = f.started + 1;
  std::string request_key;
  if (!call.request_id.empty()) {
    request_key = absl::StrCat(call.caller, "\n", *deployment, "\n",
                               call.dry_run ? "dry" : "real", "\n", call.request_id);
    if (std::optional<secretsync::v1::SyncReport> cached = cache_.Find(request_key)) {
      LogEvent(log_, 'I', "agent.sync_repeat")
          .Field("deployment", *deployment)
          .Field("caller", call.caller)
          .Field("request_id", call.request_id);
      l.unlock();
      done(*std::move(cached));
      return 0;
    }
    auto pending = pending_requests_.find(request_key);
    if (pending != pending_requests_.end()) {
      target = pending->second.target;  // a repeat joins the first call's sync
    } else {
      pending_requests_[request_key] = PendingRequest{key, target};
    }
  }
  const uint64_t ticket = ++next_ticket_;
  f.waiters[ticket] = Waiter{target, deadline, call.caller, call.request_id,
                             std::move(request_key), std::move(done)};
  tickets_[ticket] = key;
  cv_.notify_all();
  return ticket;
}

absl::StatusOr<secretsync::v1::SyncReport> SyncCoordinator::Sync(const SyncCall& call) {
  std::promise<absl::StatusOr<secretsync::v1::SyncReport>> report;
  std::future<absl::StatusOr<secretsync::v1::SyncReport>> ready = report.get_future();
  Start(call, absl::InfiniteFuture(),
        [&report](absl::StatusOr<secretsync::v1::SyncReport> r) { report.set_value(std::move(r)); });
  return ready.get();
}

bool SyncCoordinator::Due(const Flight& f) const { return !f.running && !f.waiters.empty(); }

int SyncCoordinator::WaitingLocked(const Flight& f) const {
  return static_cast<int>(std::count_if(f.waiters.begin(), f.waiters.end(), [&](const auto& w) {
    return w.second.target > f.started;
  }));
}

void SyncCoordinator::Work(Key key) {
  std::unique_lock<std::mutex> l(mu_);
  Flight& f = flights_[key];
  const std::string& deployment = key.first;
  const bool dry_run = key.second;
  while (true) {
    cv_.wait(l, [&] { return stopping_ || Due(f); });
    if (stopping_) return;  // StopAccepting answered the waiting calls
    // A call already past its deadline does not start a sync.
    Completions out;
    ExpireLocked(clock_.TimeNow(), out);
    if (!out.empty()) {
      l.unlock();
      Deliver(out);
      l.lock();
      continue;
    }
    const int64_t target = ++f.started;
    f.running = true;
    const Waiter& trigger = f.waiters.begin()->second;  // the oldest ticket
    const std::string caller = trigger.caller;
    const std::string request_id = trigger.request_id.empty() ? "-" : trigger.request_id;
    const int joined = static_cast<int>(f.waiters.size()) - 1;
    const absl::Time start = clock_.TimeNow();
    if (!dry_run) book_.Started(deployment, start);
    l.unlock();
    observer_.SyncStarted(deployment, dry_run);
    absl::StatusOr<secretsync::v1::SyncReport> result = service_.Sync(deployment, dry_run);
    const absl::Time end = clock_.TimeNow();
    l.lock();
    secretsync::v1::SyncReport failed;
    if (!result.ok()) {
      failed.set_error(std::string(result.status().message()));
      failed.set_exit_code(-1);
    }
    if (!dry_run) book_.Finished(deployment, end, result.ok() ? *result : failed);
    f.running = false;
    // Only a success is final: a failed report (e.g. 75, or 79 whose on-change
    // command the next sync retries) lets a retry with the same id sync again.
    const bool success = result.ok() && result->exit_code() == 0;
    for (auto it = pending_requests_.begin(); it != pending_requests_.end();) {
      if (it->second.key == key && it->second.target == target) {
        if (success) cache_.Put(it->first, *result);
        it = pending_requests_.erase(it);
      } else {
        ++it;
      }
    }
    int served = 0;
    for (auto it = f.waiters.begin(); it != f.waiters.end();) {
      if (it->second.target == target) {
        ++served;
        tickets_.erase(it->first);
        out.emplace_back(std::move(it->second.done), result);
        it = f.waiters.erase(it);
      } else {
        ++it;
      }
    }
    LogEvent(log_, success ? 'I' : 'W', "agent.sync")
        .Field("deployment", deployment)
        .Field("caller", caller)
        .Field("request_id", request_id)
        .Field("dry_run", dry_run ? "yes" : "no")
        .Field("exit", result.ok() ? result->exit_code() : -1)
        .Field("waiting", joined)
        .Field("ms", absl::ToInt64Milliseconds(end - start));
    ExpireLocked(end, out);
    cv_.notify_all();
    l.unlock();
    observer_.SyncFinished(deployment, dry_run, result.ok() ? result->exit_code() : -1, end,
                           end - start, served > 1 ? served - 1 : 0);
    Deliver(out);
    l.lock();
  }
}

void SyncCoordinator::RemoveLocked(Flight& f, uint64_t ticket, absl::Status status,
                                   Completions& out) {
  auto it = f.waiters.find(ticket);
  if (it == f.waiters.end()) return;
  Waiter w = std::move(it->second);
  f.waiters.erase(it);
  tickets_.erase(ticket);
  out.emplace_back(std::move(w.done), std::move(status));
  // A request id with no call left for a sync not yet started is forgotten; a
  // running sync still records its success for a retry.
  if (!w.request_key.empty() && w.target > f.started &&
      std::none_of(f.waiters.begin(), f.waiters.end(),
                   [&](const auto& o) { return o.second.request_key == w.request_key; })) {
    pending_requests_.erase(w.request_key);
  }
  cv_.notify_all();
}

void SyncCoordinator::ExpireLocked(absl::Time now, Completions& out) {
  for (auto& [key, f] : flights_) {
    std::vector<uint64_t> expired;
    for (const auto& [ticket, w] : f.waiters) {
      if (w.deadline <= now) expired.push_back(ticket);
    }
    for (uint64_t ticket : expired) {
      RemoveLocked(f, ticket, absl::DeadlineExceededError("agent: deadline passed while waiting"),
                   out);
    }
  }
}

void SyncCoordinator::Deliver(Completions& completions) {
  for (auto& [done, result] : completions) done(std::move(result));
  completions.clear();
}

void SyncCoordinator::Cancel(uint64_t ticket) {
  Completions out;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end()) return;
    Flight& f = flights_[it->second];
    auto w = f.waiters.find(ticket);
    const bool late = w != f.waiters.end() && w->second.deadline <= clock_.TimeNow();
    RemoveLocked(f, ticket,
                 late ? absl::DeadlineExceededError("agent: deadline passed while waiting")
                      : absl::CancelledError("agent: call cancelled"),
                 out);
  }
  Deliver(out);
}

void SyncCoordinator::ExpireDeadlines() {
  Completions out;
  {
    std::lock_guard<std::mutex> l(mu_);
    ExpireLocked(clock_.TimeNow(), out);
  }
  Deliver(out);
}

absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> SyncCoordinator::Status(
    const std::string& deployment) const {
  if (absl::Status s = CheckField(deployment, "deployment"); !s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  std::vector<secretsync::v1::DeploymentStatus> all = book_.All();
  for (auto& s : all) {
    auto it = flights_.find(Key(s.deployment(), false));
    if (it != flights_.end()) s.set_queued(WaitingLocked(it->second));
  }
  if (deployment.empty()) return all;
  for (auto& s : all) {
    if (s.deployment() == deployment) return std::vector<secretsync::v1::DeploymentStatus>{s};
  }
  return absl::NotFoundError(
      absl::StrCat("deployment \"", deployment, "\": not served by this agent"));
}

void SyncCoordinator::StopAccepting() {
  Completions out;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    for (auto& [key, f] : flights_) {
      std::vector<uint64_t> queued;
      for (const auto& [ticket, w] : f.waiters) {
        if (w.target > f.started) queued.push_back(ticket);
      }
      for (uint64_t ticket : queued) {
        RemoveLocked(f, ticket, absl::UnavailableError("agent: shutting down"), out);
      }
    }
    cv_.notify_all();
  }
  Deliver(out);
}

int SyncCoordinator::Waiting(const std::string& deployment, bool dry_run) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = flights_.find(Key(deployment, dry_run));
  return it == flights_.end() ? 0 : WaitingLocked(it->second);
}

void SyncCoordinator::WaitIdle() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] {
    return std::all_of(flights_.begin(), flights_.end(), [](const auto& kv) {
      return !kv.second.running && kv.second.waiters.empty();
    });
  });
}

}  // namespace agent
}  // namespace secretsync

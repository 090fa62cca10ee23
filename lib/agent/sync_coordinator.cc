// SyncCoordinator: generations per (deployment, dry run) under one mutex.
#include "lib/agent/sync_coordinator.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

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
                                 size_t request_cache_size)
    : service_(service),
      clock_(clock),
      log_(log),
      deployments_(service.Deployments()),
      cache_(request_cache_size),
      book_(deployments_) {}

absl::StatusOr<std::string> SyncCoordinator::Resolve(const std::string& deployment) const {
  if (deployments_.empty()) return absl::NotFoundError("agent: this host serves no deployment");
  if (deployment.empty()) return deployments_.front();
  if (std::find(deployments_.begin(), deployments_.end(), deployment) == deployments_.end()) {
    return absl::NotFoundError(
        absl::StrCat("deployment \"", deployment, "\": not served by this agent"));
  }
  return deployment;
}

absl::StatusOr<secretsync::v1::SyncReport> SyncCoordinator::Sync(const SyncCall& call) {
  if (absl::Status s = CheckField(call.request_id, "request_id"); !s.ok()) return s;
  if (absl::Status s = CheckField(call.deployment, "deployment"); !s.ok()) return s;
  absl::StatusOr<std::string> deployment = Resolve(call.deployment);
  if (!deployment.ok()) return deployment.status();

  std::unique_lock<std::mutex> l(mu_);
  if (call.request_id.empty()) return RunOrJoin(l, *deployment, call);

  const std::string key = absl::StrCat(call.caller, "\n", *deployment, "\n",
                                       call.dry_run ? "dry" : "real", "\n", call.request_id);
  cv_.wait(l, [&] { return requests_in_flight_.count(key) == 0; });
  if (std::optional<secretsync::v1::SyncReport> cached = cache_.Find(key)) {
    LogEvent(log_, 'I', "agent.sync_repeat")
        .Field("deployment", *deployment)
        .Field("caller", call.caller)
        .Field("request_id", call.request_id);
    return *cached;
  }
  requests_in_flight_.insert(key);
  absl::StatusOr<secretsync::v1::SyncReport> result =
      RunOrJoin(l, *deployment, call);
  requests_in_flight_.erase(key);
  // Only a success is final: a failed report (e.g. 75, or 79 whose on-change
  // command the next sync retries) must let a retry with this id sync again.
  if (result.ok() && result->exit_code() == 0) cache_.Put(key, *result);
  cv_.notify_all();
  return result;
}

absl::StatusOr<secretsync::v1::SyncReport> SyncCoordinator::RunOrJoin(
    std::unique_lock<std::mutex>& l, const std::string& deployment, const SyncCall& call) {
  const bool dry_run = call.dry_run;
  Flight& f = flights_[Key(deployment, dry_run)];
  // Whether a sync runs now or not, the one this call needs is the next to
  // start: a running one may have read the secrets before the caller's change.
  const int64_t target = f.started + 1;
  ++f.waiting;
  while (true) {
    if (f.done >= target) {
      --f.waiting;
      return f.last;
    }
    if (!f.running && f.started < target) {
      --f.waiting;
      if (stopping_) return absl::UnavailableError("agent: shutting down");
      f.started = target;
      f.running = true;
      const int joined = f.waiting;
      const absl::Time start = clock_.TimeNow();
      if (!dry_run) book_.Started(deployment, start);
      l.unlock();
      absl::StatusOr<secretsync::v1::SyncReport> result = service_.Sync(deployment, dry_run);
      const absl::Time end = clock_.TimeNow();
      l.lock();
      secretsync::v1::SyncReport failed;
      if (!result.ok()) {
        failed.set_error(std::string(result.status().message()));
        failed.set_exit_code(-1);
      }
      if (!dry_run) book_.Finished(deployment, end, result.ok() ? *result : failed);
      f.last = result;
      f.done = target;
      f.running = false;
      cv_.notify_all();
      LogEvent(log_, result.ok() && result->exit_code() == 0 ? 'I' : 'W', "agent.sync")
          .Field("deployment", deployment)
          .Field("caller", call.caller)
          .Field("request_id", call.request_id.empty() ? "-" : call.request_id)
          .Field("dry_run", dry_run ? "yes" : "no")
          .Field("exit", result.ok() ? result->exit_code() : -1)
          .Field("waiting", joined)
          .Field("ms", absl::ToInt64Milliseconds(end - start));
      return result;
    }
    cv_.wait(l);
  }
}

absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> SyncCoordinator::Status(
    const std::string& deployment) const {
  if (absl::Status s = CheckField(deployment, "deployment"); !s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  std::vector<secretsync::v1::DeploymentStatus> all = book_.All();
  for (auto& s : all) {
    auto it = flights_.find(Key(s.deployment(), false));
    if (it != flights_.end()) s.set_queued(it->second.waiting);
  }
  if (deployment.empty()) return all;
  for (auto& s : all) {
    if (s.deployment() == deployment) return std::vector<secretsync::v1::DeploymentStatus>{s};
  }
  return absl::NotFoundError(
      absl::StrCat("deployment \"", deployment, "\": not served by this agent"));
}

void SyncCoordinator::StopAccepting() {
  std::lock_guard<std::mutex> l(mu_);
  stopping_ = true;
  cv_.notify_all();
}

int SyncCoordinator::Waiting(const std::string& deployment, bool dry_run) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = flights_.find(Key(deployment, dry_run));
  return it == flights_.end() ? 0 : it->second.waiting;
}

}  // namespace agent
}  // namespace secretsync

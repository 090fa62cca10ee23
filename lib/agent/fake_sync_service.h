// FakeSyncService: counts runs, can hold a run until released, and carries a
// canary "secret" in its state that must never reach a reply or a log.
#ifndef SECRETSYNC_LIB_AGENT_FAKE_SYNC_SERVICE_H_
#define SECRETSYNC_LIB_AGENT_FAKE_SYNC_SERVICE_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "lib/agent/sync_service.h"

namespace secretsync {
namespace agent {

// Thread-safe (std::mutex, visible to TSan).
class FakeSyncService : public SyncService {
 public:
  explicit FakeSyncService(std::vector<std::string> deployments = {"web"})
      : deployments_(std::move(deployments)) {}

  std::vector<std::string> Deployments() const override { return deployments_; }

  absl::StatusOr<secretsync::v1::SyncReport> Sync(const std::string& deployment,
                                                  bool dry_run) override {
    std::unique_lock<std::mutex> l(mu_);
    const int n = ++runs_;
    ++running_;
    cv_.notify_all();
    cv_.wait(l, [&] { return !hold_; });
    --running_;
    if (!fail_with_.ok()) return fail_with_;
    secretsync::v1::SyncReport r;
    r.set_output_path("/srv/" + deployment + "/.env");
    r.set_dry_run(dry_run);
    r.set_written(!dry_run);
    r.add_changed("DATABASE_PASSWORD");  // a name; the value is canary_
    r.set_secrets_fetched(3);
    r.set_duration_ms(n);
    r.set_exit_code(exit_code_);
    if (exit_code_ != 0) r.set_error("infisical: unavailable");
    r.set_content_sha256(std::string(64, 'a'));
    *r.mutable_health() = health_;
    return r;
  }

  // The value the fake "synced": tests assert it appears nowhere.
  static constexpr const char* kCanary = "CANARY-agent-s3cr3t-7f1d";

  int runs() const {
    std::lock_guard<std::mutex> l(mu_);
    return runs_;
  }
  // While held, syncs block after counting their run.
  void Hold() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  // Blocks until `n` syncs are running (held).
  void AwaitRunning(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return running_ >= n; });
  }
  void SetExitCode(int code) {
    std::lock_guard<std::mutex> l(mu_);
    exit_code_ = code;
  }
  // The health report every later sync carries (default: not checked).
  void SetHealth(secretsync::v1::HealthReport h) {
    std::lock_guard<std::mutex> l(mu_);
    health_ = std::move(h);
  }
  void FailWith(absl::Status s) {
    std::lock_guard<std::mutex> l(mu_);
    fail_with_ = std::move(s);
  }

 private:
  const std::vector<std::string> deployments_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int runs_ = 0;
  int running_ = 0;
  bool hold_ = false;
  int exit_code_ = 0;
  absl::Status fail_with_;
  secretsync::v1::HealthReport health_;
  std::string canary_ = kCanary;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_FAKE_SYNC_SERVICE_H_

// Single-flight syncs: concurrent triggers of a deployment coalesce into at
// most one follow-up run, and repeated request ids get their first report.
#ifndef SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_
#define SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/agent/request_cache.h"
#include "lib/agent/status_book.h"
#include "lib/agent/sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "proto/agent.pb.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace agent {

// One Sync request, after authentication.
struct SyncCall {
  std::string caller;      // identity from CallerAuthenticator
  std::string request_id;  // empty: no idempotency
  std::string deployment;  // empty: the service's first deployment
  bool dry_run = false;
};

// Runs syncs through a SyncService, one at a time per (deployment, dry run).
// A call that arrives while no sync of its key runs starts one; calls that
// arrive while one runs all wait for the single follow-up sync that starts
// when it ends, and get its report (it saw every change made before they
// called). The caller's thread runs the sync; waiting callers block. The
// service, clock and log sink must outlive the coordinator. Thread-safe.
class SyncCoordinator {
 public:
  SyncCoordinator(SyncService& service, Clock& clock, LogSink& log,
                  size_t request_cache_size = 1024);

  // Runs or joins a sync as described above. A repeated (caller, deployment,
  // dry run, request id) returns the first call's report without a sync when
  // that report says exit 0 (a repeat that arrives while the first still runs
  // waits for it); a failed report is not kept, so a retry syncs again. Errors:
  // INVALID_ARGUMENT for an over-long or non-printable request id or
  // deployment; NOT_FOUND for a deployment the service does not serve;
  // UNAVAILABLE after StopAccepting() for calls whose sync has not started;
  // otherwise the SyncService's own error (not cached).
  absl::StatusOr<secretsync::v1::SyncReport> Sync(const SyncCall& call);

  // Status of `deployment`, or of all when empty. NOT_FOUND for an unknown
  // one, INVALID_ARGUMENT for an over-long or non-printable name.
  absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> Status(
      const std::string& deployment) const;

  // From now on no new sync starts: waiting and new calls get UNAVAILABLE;
  // running syncs finish and their callers get their reports (SIGTERM).
  void StopAccepting();

  // Calls now blocked waiting for a running sync of `deployment` (tests use it
  // to know every trigger has arrived).
  int Waiting(const std::string& deployment, bool dry_run) const;

 private:
  struct Flight {
    bool running = false;
    int64_t started = 0;  // generation of the last sync started
    int64_t done = 0;     // generation of the last sync finished
    int waiting = 0;
    absl::StatusOr<secretsync::v1::SyncReport> last;
  };
  using Key = std::pair<std::string, bool>;

  absl::StatusOr<std::string> Resolve(const std::string& deployment) const;
  absl::StatusOr<secretsync::v1::SyncReport> RunOrJoin(std::unique_lock<std::mutex>& l,
                                                       const std::string& deployment,
                                                       const SyncCall& call);

  SyncService& service_;
  Clock& clock_;
  LogSink& log_;
  const std::vector<std::string> deployments_;

  // std::mutex: TSan cannot see Debian's uninstrumented absl::Mutex.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<Key, Flight> flights_;
  std::set<std::string> requests_in_flight_;
  RequestCache cache_;
  StatusBook book_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_

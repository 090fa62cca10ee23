// Single-flight syncs: concurrent triggers of a deployment coalesce into at
// most one follow-up run, and repeated request ids get their first success.
#ifndef SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_
#define SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/agent/agent_observer.h"
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

// Receives a call's report (or error) exactly once.
using SyncDone = std::function<void(absl::StatusOr<secretsync::v1::SyncReport>)>;

// Runs syncs through a SyncService, one at a time per (deployment, dry run).
// A call that arrives while no sync of its key runs starts one; calls that
// arrive while one runs all wait for the single follow-up sync that starts
// when it ends, and get its report (it saw every change made before they
// called). A waiting call holds no thread: it is a callback. Each key's syncs
// run on one worker thread the coordinator owns (started on the key's first
// call, joined by the destructor). A follow-up runs only while some call still
// waits for it: a call cancelled or past its deadline leaves, and when the
// last one has left the follow-up does not run. The service, clock and log
// sink must outlive the coordinator, and so must `observer`, which hears of
// each sync's start and end (outside the lock). Thread-safe.
class SyncCoordinator {
 public:
  SyncCoordinator(SyncService& service, Clock& clock, LogSink& log,
                  size_t request_cache_size = 1024,
                  AgentObserver& observer = NoAgentObserver());
  ~SyncCoordinator();  // StopAccepting(), then waits for running syncs

  // Runs or joins a sync as described above and calls `done` with its report;
  // `done` runs on this thread before Start returns (an error, a cached
  // report), on the worker thread, or in Cancel/ExpireDeadlines, never under
  // the coordinator's lock. A repeated (caller, deployment, dry run, request
  // id) gets the first call's report without a sync when that report says
  // exit 0 (a repeat that arrives while the first still waits joins it); a
  // failed report is not kept, so a retry syncs again. Errors: INVALID_ARGUMENT
  // for an over-long or non-printable request id or deployment; NOT_FOUND for
  // a deployment the service does not serve; UNAVAILABLE after StopAccepting()
  // for calls whose sync has not started; DEADLINE_EXCEEDED once `deadline`
  // passes while the call waits for a follow-up (ExpireDeadlines, or when the
  // running sync ends); CANCELLED after Cancel(); otherwise the SyncService's
  // own error (not cached). Returns a ticket for Cancel (0: already done).
  uint64_t Start(const SyncCall& call, absl::Time deadline, SyncDone done);

  // The call of `ticket` leaves: its `done` gets DEADLINE_EXCEEDED if its
  // deadline has passed, else CANCELLED. No-op for a call already done.
  void Cancel(uint64_t ticket);

  // Every waiting call whose deadline has passed gets DEADLINE_EXCEEDED.
  void ExpireDeadlines();

  // Start() without a deadline, waiting for the report (tests, tools).
  absl::StatusOr<secretsync::v1::SyncReport> Sync(const SyncCall& call);

  // Status of `deployment`, or of all when empty. NOT_FOUND for an unknown
  // one, INVALID_ARGUMENT for an over-long or non-printable name.
  absl::StatusOr<std::vector<secretsync::v1::DeploymentStatus>> Status(
      const std::string& deployment) const;

  // From now on no new sync starts: waiting and new calls get UNAVAILABLE;
  // running syncs finish and their callers get their reports (SIGTERM).
  void StopAccepting();

  // Calls now waiting for the next sync of `deployment` (not the running one;
  // tests use it to know every trigger has arrived).
  int Waiting(const std::string& deployment, bool dry_run) const;

  // Blocks until no sync runs and none is due (tests).
  void WaitIdle();

 private:
  using Key = std::pair<std::string, bool>;
  struct Waiter {
    int64_t target = 0;  // generation of the sync whose report it gets
    absl::Time deadline;
    std::string caller;
    std::string request_id;
    std::string request_key;  // empty: no request id
    SyncDone done;
  };
  struct Flight {
    bool running = false;
    int64_t started = 0;  // generation of the last sync started
    std::map<uint64_t, Waiter> waiters;  // by ticket
    std::thread worker;
  };
  // A request id whose report is not known yet: repeats join its target.
  struct PendingRequest {
    Key key;
    int64_t target = 0;
  };
  using Completions =
      std::vector<std::pair<SyncDone, absl::StatusOr<secretsync::v1::SyncReport>>>;

  absl::StatusOr<std::string> Resolve(const std::string& deployment) const;
  void Work(Key key);
  bool Due(const Flight& f) const;
  int WaitingLocked(const Flight& f) const;
  // Removes `ticket` from `f` with `status`; forgets a request id left
  // without a waiter for a sync that has not started.
  void RemoveLocked(Flight& f, uint64_t ticket, absl::Status status, Completions& out);
  void ExpireLocked(absl::Time now, Completions& out);
  static void Deliver(Completions& completions);

  SyncService& service_;
  Clock& clock_;
  LogSink& log_;
  AgentObserver& observer_;
  const std::vector<std::string> deployments_;

  // std::mutex: TSan cannot see Debian's uninstrumented absl::Mutex.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t next_ticket_ = 0;
  std::map<Key, Flight> flights_;
  std::map<uint64_t, Key> tickets_;
  std::map<std::string, PendingRequest> pending_requests_;
  RequestCache cache_;
  StatusBook book_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_SYNC_COORDINATOR_H_

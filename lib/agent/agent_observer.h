// What the agent tells an observer (its Prometheus metrics) about calls,
// refusals and syncs. The no-op default keeps the agent free of metrics code
// when none is wanted.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_OBSERVER_H_
#define SECRETSYNC_LIB_AGENT_AGENT_OBSERVER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace agent {

// Why a call was refused before anything ran.
enum class RefusalReason { kNotAllowed, kToken, kRateLimit };

// Receives events from AgentService (calls, refusals) and SyncCoordinator
// (syncs). Every method is called from gRPC or worker threads without the
// coordinator's lock held, possibly concurrently: implementations must be
// thread-safe and must not call back into the agent. Arguments carry names,
// codes and durations, never secret values.
class AgentObserver {
 public:
  virtual ~AgentObserver() = default;
  // A Sync or GetStatus call was refused (`rpc` is "Sync" or "GetStatus").
  virtual void Refused(const std::string& /*rpc*/, RefusalReason /*reason*/) {}
  // An admitted Sync call of `caller` got `result` (a report, whose exit code
  // says how the sync went, or the status the caller gets).
  virtual void CallFinished(const std::string& /*caller*/,
                            const absl::StatusOr<secretsync::v1::SyncReport>& /*result*/) {}
  // A sync of `deployment` starts now (it runs until SyncFinished).
  virtual void SyncStarted(const std::string& /*deployment*/, bool /*dry_run*/) {}
  // That sync ended at `end` after `took` with `exit_code` (-1: the sync
  // service returned an error); `coalesced` calls beyond the first got its
  // report without a sync of their own.
  virtual void SyncFinished(const std::string& /*deployment*/, bool /*dry_run*/, int /*exit_code*/,
                            absl::Time /*end*/, absl::Duration /*took*/, int /*coalesced*/) {}
};

// An observer that ignores everything (shared, stateless).
AgentObserver& NoAgentObserver();

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_OBSERVER_H_

// The seam between the agent and the sync core: the agent triggers syncs
// through it and never shells out to the sync binary.
#ifndef SECRETSYNC_LIB_AGENT_SYNC_SERVICE_H_
#define SECRETSYNC_LIB_AGENT_SYNC_SERVICE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace agent {

// Runs syncs for the agent. Implemented by the lead over the sync core; by a
// fake in tests (lib/agent/fake_sync_service.h).
class SyncService {
 public:
  virtual ~SyncService() = default;
  // Deployment names this host serves (the first is the default when a
  // request names none).
  virtual std::vector<std::string> Deployments() const = 0;
  // Runs one sync of `deployment` now, in-process, under the deployment's
  // lock. Thread-safe. Returns the report (names only, exit_code, duration,
  // error text without values).
  virtual absl::StatusOr<secretsync::v1::SyncReport> Sync(const std::string& deployment,
                                                          bool dry_run) = 0;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_SYNC_SERVICE_H_

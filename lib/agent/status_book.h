// What GetStatus reports: per deployment, the last attempt and success, the
// result and the content hash, and whether a sync runs now.
#ifndef SECRETSYNC_LIB_AGENT_STATUS_BOOK_H_
#define SECRETSYNC_LIB_AGENT_STATUS_BOOK_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "proto/agent.pb.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace agent {

// Bookkeeping of real (non-dry-run) syncs since the agent started. Not
// thread-safe: SyncCoordinator calls it under its lock.
class StatusBook {
 public:
  explicit StatusBook(const std::vector<std::string>& deployments);
  // A sync of `deployment` starts at `now`.
  void Started(const std::string& deployment, absl::Time now);
  // It ended at `now` with `report` (a success when exit_code is 0 and error
  // empty; only a success sets last_success and content_sha256). Every
  // finished sync sets last_exit_code, last_error and last_health.
  void Finished(const std::string& deployment, absl::Time now,
                const secretsync::v1::SyncReport& report);
  // All deployments in the order given to the constructor.
  std::vector<secretsync::v1::DeploymentStatus> All() const;

 private:
  std::vector<std::string> order_;
  std::map<std::string, secretsync::v1::DeploymentStatus> by_name_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_STATUS_BOOK_H_

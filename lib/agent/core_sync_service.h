// CoreSyncService: the agent's SyncService over the sync core. Each Sync()
// loads the deployment's config afresh (an edited config applies at the next
// trigger) and runs SyncDeployment in-process, under the same lock file as
// cron's and people's syncs.
#ifndef SECRETSYNC_LIB_AGENT_CORE_SYNC_SERVICE_H_
#define SECRETSYNC_LIB_AGENT_CORE_SYNC_SERVICE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/agent/sync_service.h"
#include "lib/app/system.h"

namespace secretsync {
namespace agent {

// The deployment name of a config file: its base name without the
// extension ("/etc/secretsync/glitchtip.textproto" -> "glitchtip").
std::string DeploymentName(const std::string& config_path);

// Thread-safe as long as the System's seams are (the real ones are); syncs of
// one deployment are serialized by its lock file (and by the agent's
// coordinator before that). Holds references to `sys`, which must outlive it.
class CoreSyncService : public SyncService {
 public:
  // InvalidArgument when `config_paths` is empty or two configs share a
  // deployment name. The configs are only read when a sync runs.
  static absl::StatusOr<std::unique_ptr<CoreSyncService>> Create(
      const std::vector<std::string>& config_paths, System& sys,
      absl::Duration wait_lock = absl::Seconds(60));

  std::vector<std::string> Deployments() const override;
  // NotFound for a name this agent does not serve. Everything else, a
  // config that does not load included, is a report with its exit code and
  // error text (never a value).
  absl::StatusOr<v1::SyncReport> Sync(const std::string& deployment, bool dry_run) override;

 private:
  CoreSyncService(std::vector<std::pair<std::string, std::string>> deployments, System& sys,
                  absl::Duration wait_lock)
      : deployments_(std::move(deployments)), sys_(sys), wait_lock_(wait_lock) {}

  const std::vector<std::pair<std::string, std::string>> deployments_;  // name, config path
  System& sys_;
  const absl::Duration wait_lock_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_CORE_SYNC_SERVICE_H_

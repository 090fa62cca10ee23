// MakeSyncService: the sync core behind the agent.
#include "tools/agent_sync_service.h"

#include "lib/agent/core_sync_service.h"

namespace secretsync {
namespace agent {

absl::StatusOr<std::unique_ptr<SyncService>> MakeSyncService(
    const std::vector<std::string>& config_paths, System& sys) {
  absl::StatusOr<std::unique_ptr<CoreSyncService>> service =
      CoreSyncService::Create(config_paths, sys);
  if (!service.ok()) return service.status();
  return std::unique_ptr<SyncService>(std::move(*service));
}

}  // namespace agent
}  // namespace secretsync

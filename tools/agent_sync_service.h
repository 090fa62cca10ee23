// The one place //tools:agent plugs the sync core into the agent.
#ifndef SECRETSYNC_TOOLS_AGENT_SYNC_SERVICE_H_
#define SECRETSYNC_TOOLS_AGENT_SYNC_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/agent/sync_service.h"
#include "lib/app/system.h"

namespace secretsync {
namespace agent {

// Builds the SyncService over the sync core (lib/agent/core_sync_service.h)
// for the deployments in `config_paths`, named after their files.
absl::StatusOr<std::unique_ptr<SyncService>> MakeSyncService(
    const std::vector<std::string>& config_paths, System& sys);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_AGENT_SYNC_SERVICE_H_

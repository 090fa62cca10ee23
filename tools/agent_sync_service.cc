// MakeSyncService: the sync core behind the agent (filled in by the lead).
#include "tools/agent_sync_service.h"

#include "absl/status/status.h"

namespace secretsync {
namespace agent {

absl::StatusOr<std::unique_ptr<SyncService>> MakeSyncService(
    const std::vector<std::string>& config_paths, System& sys) {
  (void)config_paths;
  (void)sys;
  // TODO(lead): return a SyncService over the sync core: Deployments() from
  // the configs' names, Sync() running the core in-process under the
  // deployment's lock and filling SyncReport.content_sha256.
  return absl::FailedPreconditionError(
      "agent: the sync core is not wired into this build yet (tools/agent_sync_service.cc)");
}

}  // namespace agent
}  // namespace secretsync

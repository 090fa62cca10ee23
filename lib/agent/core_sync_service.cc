// CoreSyncService: LoadDeployment + SyncDeployment per trigger.
#include "lib/agent/core_sync_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/filesystem.h"
#include "lib/config/deployment.h"
#include "lib/sync/sync_deployment.h"

namespace secretsync {
namespace agent {

std::string DeploymentName(const std::string& config_path) {
  std::string name = BaseName(config_path);
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name;
}

absl::StatusOr<std::unique_ptr<CoreSyncService>> CoreSyncService::Create(
    const std::vector<std::string>& config_paths, System& sys, absl::Duration wait_lock) {
  if (config_paths.empty()) {
    return absl::InvalidArgumentError("agent: no deployment config (--deployment-configs)");
  }
  std::vector<std::pair<std::string, std::string>> deployments;
  std::set<std::string> names;
  for (const std::string& path : config_paths) {
    std::string name = DeploymentName(path);
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "agent: two deployment configs are named ", name, ": rename one of the files"));
    }
    deployments.emplace_back(std::move(name), path);
  }
  return std::unique_ptr<CoreSyncService>(
      new CoreSyncService(std::move(deployments), sys, wait_lock));
}

std::vector<std::string> CoreSyncService::Deployments() const {
  std::vector<std::string> out;
  for (const auto& [name, path] : deployments_) out.push_back(name);
  return out;
}

absl::StatusOr<v1::SyncReport> CoreSyncService::Sync(const std::string& deployment,
                                                     bool dry_run) {
  const std::string* config_path = nullptr;
  for (const auto& [name, path] : deployments_) {
    if (name == deployment) config_path = &path;
  }
  if (config_path == nullptr) {
    return absl::NotFoundError(absl::StrCat("no deployment named ", deployment));
  }
  absl::StatusOr<config::Deployment> d =
      config::LoadDeployment(*config_path, {}, sys_.fs, sys_.env, sys_.users);
  if (!d.ok()) {
    v1::SyncReport report;
    report.set_dry_run(dry_run);
    report.set_exit_code(ExitCodeFromStatus(d.status()));
    report.set_error(std::string(d.status().message()));
    return report;
  }
  sync::SyncRequest request;
  request.dry_run = dry_run;
  request.wait_lock = wait_lock_;
  return sync::SyncDeployment(*d, request, sys_);
}

}  // namespace agent
}  // namespace secretsync

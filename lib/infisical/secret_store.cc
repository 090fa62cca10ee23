// ScopeFromConfig.
#include "lib/infisical/secret_store.h"

namespace secretsync {
namespace infisical {

SecretScope ScopeFromConfig(const v1::DeploymentConfig& config) {
  SecretScope scope;
  scope.project_id = config.project_id();
  scope.project_slug = config.project_slug();
  scope.environment = config.environment();
  scope.secret_path = config.secret_path().empty() ? "/" : config.secret_path();
  scope.include_imports = config.include_imports();
  scope.expand_references = config.expand_references();
  return scope;
}

}  // namespace infisical
}  // namespace secretsync

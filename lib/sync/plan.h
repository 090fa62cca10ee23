// Plans a sync without side effects: validate the fetched secrets against the
// spec, render the template, quote it as a .env, and diff it with the old file.
#ifndef SECRETSYNC_LIB_SYNC_PLAN_H_
#define SECRETSYNC_LIB_SYNC_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/base/log.h"
#include "lib/base/secret_value.h"
#include "lib/infisical/secret_store.h"
#include "lib/template/template.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace sync {

struct Plan {
  SecretValue content;  // the new .env bytes
  bool unchanged = false;  // byte-identical to the existing file
  std::vector<std::string> added, changed, removed;  // variable names, sorted
  std::vector<std::string> services;  // restart_services of the secrets behind changes
  int unparsable_lines = 0;  // statements of the old file that were not NAME=value
};

// Validates and renders. `existing` is the current file's bytes (nullopt when
// there is none). Errors, each naming secrets or lines, never values:
// NotFound (the template references secrets that do not exist),
// InvalidArgument (a secret fails its validator or is not a valid dotenv value).
// The old file is read leniently: statements that are not NAME=value with a
// valid name are skipped and only counted (unparsable_lines, and a warning in
// `log` with the count), never quoted and never reported as names.
absl::StatusOr<Plan> MakePlan(const secretsync::v1::DeploymentConfig& config,
                              const tmpl::Template& tmpl,
                              const std::vector<infisical::SecretRecord>& secrets,
                              const std::optional<SecretValue>& existing, Logger& log);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_PLAN_H_

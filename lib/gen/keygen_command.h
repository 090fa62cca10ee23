// keygen: print generated secrets, or create a spec's missing secrets in
// Infisical (--push). The logic behind //tools:keygen.
#ifndef SECRETSYNC_LIB_GEN_KEYGEN_COMMAND_H_
#define SECRETSYNC_LIB_GEN_KEYGEN_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "lib/base/environment.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/infisical/secret_store.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace gen {

extern const char kKeygenUsage[];

struct KeygenOptions {
  std::string format = "hex";
  int64_t bytes = -1;   // -1: the format's default
  int64_t length = -1;  // -1: the format's default
  int64_t count = 1;
  std::string config_path;  // with --secret or --push
  std::string secret;       // one secret of the config's spec
  bool push = false;        // create the spec's missing secrets in Infisical
  bool dry_run = false;     // with --push: list what would be created
  // Config overrides (flags win over the config file).
  std::string site_url;
  std::string environment;
  std::string secret_path;
};

// Reads the --flags defined by keygen_command.cc.
KeygenOptions KeygenOptionsFromFlags();

// Builds the secret store for --push from the loaded config.
using StoreFactory = std::function<absl::StatusOr<std::unique_ptr<infisical::SecretStore>>(
    const secretsync::v1::DeploymentConfig&)>;

struct KeygenDeps {
  RandomSource& random;
  const Environment& env;
  LogSink& log;
  infisical::SecretStoreFactory store_factory;  // used only with --push
};

// Runs keygen and returns the process exit code (lib/base/exit_codes.h).
// Values go to `out` only (one per line, or NAME=value for a whole spec);
// --push prints only the names it created. Errors go to `err`.
int RunKeygen(const KeygenOptions& opts, KeygenDeps deps, std::ostream& out, std::ostream& err);

}  // namespace gen
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_GEN_KEYGEN_COMMAND_H_

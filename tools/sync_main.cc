// sync: render .env from Infisical; see lib/sync/sync_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/sync/sync_command.h"
#include "tools/sync_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::sync::kSyncUsage, "tools/sync_flags");
  secretsync::metrics::RunCounters counters;  // Infisical requests, token cache: --metrics_file
  secretsync::RealSystem real(&counters);
  secretsync::System sys = real.deps();
  secretsync::sync::SyncOptions options = secretsync::SyncOptionsFromFlags();
  options.counters = &counters;
  return secretsync::sync::RunSync(options, sys, std::cout, std::cerr);
}

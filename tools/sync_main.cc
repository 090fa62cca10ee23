// sync: render .env from Infisical; see lib/sync/sync_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/sync/sync_command.h"
#include "tools/sync_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::sync::kSyncUsage, "tools/sync_flags");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::sync::RunSync(secretsync::SyncOptionsFromFlags(), sys, std::cout, std::cerr);
}

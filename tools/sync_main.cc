// sync: render .env from Infisical; see lib/sync/sync_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/sync/sync_command.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::sync::kSyncUsage, "lib/sync/sync_command");
  secretsync::RealSystem real;
  return secretsync::sync::RunSync(secretsync::sync::SyncOptionsFromFlags(), real.deps(),
                                   std::cout, std::cerr);
}

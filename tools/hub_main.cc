// hub: webhook deliveries in, fan-outs to agents out; see lib/hub/hub_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/hub/hub_command.h"
#include "tools/hub_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::hub::kHubUsage, "tools/hub_flags");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::hub::RunHub(secretsync::hub::HubOptionsFromFlags(),
                                 {sys.fs, sys.clock, sys.random, sys.log}, std::cout, std::cerr);
}

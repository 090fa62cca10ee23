// fanout: trigger syncs on many agents; see lib/fanout/fanout_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/fanout/fanout_command.h"
#include "tools/fanout_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::fanout::kFanoutUsage, "tools/fanout_flags");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::fanout::RunFanout(secretsync::fanout::FanoutOptionsFromFlags(),
                                       {sys.fs, sys.clock, sys.random, sys.log}, std::cout,
                                       std::cerr);
}

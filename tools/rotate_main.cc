// rotate: rotate secrets crash-safely; see lib/rotate/rotate_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/rotate/rotate_command.h"
#include "tools/rotate_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::rotate::kRotateUsage, "tools/rotate_flags");
  secretsync::metrics::RunCounters counters;  // Infisical requests, token cache: --metrics_file
  secretsync::RealSystem real(&counters);
  secretsync::System sys = real.deps();
  secretsync::rotate::RotateOptions options = secretsync::RotateOptionsFromFlags();
  options.counters = &counters;
  return secretsync::rotate::RunRotate(options, sys, std::cin, std::cout, std::cerr);
}

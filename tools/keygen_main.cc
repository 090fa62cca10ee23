// keygen: generate secrets with the OS CSPRNG; see lib/keygen/keygen_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/keygen/keygen_command.h"
#include "tools/keygen_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::keygen::kKeygenUsage, "tools/keygen_flags");
  secretsync::metrics::RunCounters counters;  // Infisical requests, token cache: --metrics_file
  secretsync::RealSystem real(&counters);
  secretsync::System sys = real.deps();
  secretsync::keygen::KeygenOptions options = secretsync::KeygenOptionsFromFlags();
  options.counters = &counters;
  return secretsync::keygen::RunKeygen(options, sys, std::cout, std::cerr);
}

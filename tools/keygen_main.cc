// keygen: generate secrets with the OS CSPRNG; see lib/keygen/keygen_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/keygen/keygen_command.h"
#include "tools/keygen_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::keygen::kKeygenUsage, "tools/keygen_flags");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::keygen::RunKeygen(secretsync::KeygenOptionsFromFlags(), sys, std::cout,
                                       std::cerr);
}

// keygen: generate secrets with the OS CSPRNG; see lib/gen/keygen_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/gen/keygen_command.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::gen::kKeygenUsage, "lib/gen/keygen_command");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::gen::RunKeygen(secretsync::gen::KeygenOptionsFromFlags(),
                                    {sys.random, sys.env, sys.log, sys.stores}, std::cout,
                                    std::cerr);
}

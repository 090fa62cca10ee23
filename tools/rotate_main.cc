// rotate: rotate secrets crash-safely; see lib/rotate/rotate_command.h.
#include <iostream>

#include "lib/app/real_system.h"
#include "lib/base/tool_flags.h"
#include "lib/rotate/rotate_command.h"
#include "tools/rotate_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::rotate::kRotateUsage, "tools/rotate_flags");
  secretsync::RealSystem real;
  secretsync::System sys = real.deps();
  return secretsync::rotate::RunRotate(secretsync::RotateOptionsFromFlags(), sys, std::cin,
                                       std::cout, std::cerr);
}

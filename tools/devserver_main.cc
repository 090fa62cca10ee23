// devserver: a local Infisical-API-compatible server for demos and tests.
#include <iostream>

#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/base/tool_flags.h"
#include "lib/devserver/devserver_command.h"
#include "tools/devserver_flags.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::devserver::kUsage,
                             "tools/devserver_flags");
  secretsync::RealClock clock;
  secretsync::OsRandomSource random;
  secretsync::StreamLogSink log(std::cerr);
  return secretsync::devserver::RunDevServer(secretsync::DevServerOptionsFromFlags(), clock,
                                             random, std::cout, log);
}

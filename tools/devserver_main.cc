// devserver: a local Infisical-API-compatible server for demos and tests.
#include <iostream>

#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/base/tool_flags.h"
#include "lib/devserver/devserver_command.h"

int main(int argc, char** argv) {
  secretsync::ParseToolFlags(argc, argv, secretsync::devserver::kUsage,
                             "lib/devserver/devserver_command");
  secretsync::RealClock clock;
  secretsync::OsRandomSource random;
  secretsync::StreamLogSink log(std::cerr);
  return secretsync::devserver::RunDevServer(secretsync::devserver::OptionsFromFlags(), clock,
                                             random, std::cout, log);
}

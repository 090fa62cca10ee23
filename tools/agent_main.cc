// agent: serve secretsync.v1.Agent; see lib/agent/agent_command.h. Builds its
// seams itself instead of RealSystem, whose malloc tuning (heap never trimmed,
// huge pages) suits one-shot tools, not a daemon that should idle small.
#include <iostream>

#include "lib/agent/agent_command.h"
#include "lib/agent/agent_events.h"
#include "lib/app/real_system.h"
#include "lib/base/exit_codes.h"
#include "lib/base/tool_flags.h"
#include "tools/agent_flags.h"
#include "tools/agent_sync_service.h"

int main(int argc, char** argv) {
  secretsync::agent::SignalEvents events;  // first: every later thread inherits the mask
  secretsync::ParseToolFlags(argc, argv, secretsync::agent::kAgentUsage, "tools/agent_flags");
  secretsync::RealClock clock;
  secretsync::RealFilesystem fs;
  secretsync::OsRandomSource random;
  secretsync::RealEnvironment env;
  secretsync::RealCommandRunner commands;
  secretsync::StreamLogSink log(std::cerr);
  secretsync::RealUserDirectory users;
  secretsync::System sys{clock, fs, random, env, commands, log, users,
                         secretsync::CurlStoreFactory(clock, random, env, log)};
  auto service = secretsync::agent::MakeSyncService(
      secretsync::agent::DeploymentConfigsFromFlags(), sys);
  if (!service.ok()) {
    std::cerr << service.status().message() << "\n";
    return secretsync::ExitCodeFromStatus(service.status());
  }
  return secretsync::agent::RunAgent(secretsync::agent::AgentOptionsFromFlags(),
                                     {fs, clock, log, events, nullptr}, **service, std::cout,
                                     std::cerr);
}

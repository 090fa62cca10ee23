// fake_agent: the real agent command over FakeSyncService, for interop tests
// (Python client), multi-process fan-out tests and benchmarks until the sync
// core is wired into //tools:agent.
#include <iostream>

#include "absl/flags/flag.h"
#include "lib/agent/agent_command.h"
#include "lib/agent/agent_events.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/tool_flags.h"
#include "tools/agent_flags.h"

ABSL_FLAG(int32_t, fake_exit_code, 0, "exit code every fake sync reports");

int main(int argc, char** argv) {
  secretsync::agent::SignalEvents events;
  secretsync::ParseToolFlags(argc, argv, secretsync::agent::kAgentUsage, "tools/agent_flags");
  secretsync::RealFilesystem fs;
  secretsync::RealClock clock;
  secretsync::StreamLogSink log(std::cerr);
  secretsync::agent::FakeSyncService service({"web", "worker"});
  service.SetExitCode(absl::GetFlag(FLAGS_fake_exit_code));
  return secretsync::agent::RunAgent(secretsync::agent::AgentOptionsFromFlags(),
                                     {fs, clock, log, events, nullptr}, service,
                                     std::cout, std::cerr);
}

// fake_agent: the real agent command over FakeSyncService, for interop tests
// (Python client), multi-process fan-out tests and benchmarks until the sync
// core is wired into //tools:agent.
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

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
ABSL_FLAG(std::string, fake_hold_fifo, "",
          "hold every fake sync until a line is written to this FIFO (benchmarks)");

int main(int argc, char** argv) {
  secretsync::agent::SignalEvents events;
  secretsync::ParseToolFlags(argc, argv, secretsync::agent::kAgentUsage, "tools/agent_flags");
  secretsync::RealFilesystem fs;
  secretsync::RealClock clock;
  secretsync::StreamLogSink log(std::cerr);
  secretsync::agent::FakeSyncService service({"web", "worker"});
  service.SetExitCode(absl::GetFlag(FLAGS_fake_exit_code));
  if (const std::string fifo = absl::GetFlag(FLAGS_fake_hold_fifo); !fifo.empty()) {
    service.Hold();
    std::thread([fifo, &service] {
      std::ifstream in(fifo);  // blocks until a writer opens it
      std::string line;
      std::getline(in, line);
      service.Release();
    }).detach();
  }
  return secretsync::agent::RunAgent(secretsync::agent::AgentOptionsFromFlags(),
                                     {fs, clock, log, events, nullptr}, service,
                                     std::cout, std::cerr);
}

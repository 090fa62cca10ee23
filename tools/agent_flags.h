// The agent binary's flags (defined in agent_flags.cc, beside main).
#ifndef SECRETSYNC_TOOLS_AGENT_FLAGS_H_
#define SECRETSYNC_TOOLS_AGENT_FLAGS_H_

#include <string>
#include <vector>

#include "lib/agent/agent_command.h"

namespace secretsync {
namespace agent {

// Reads the parsed --flags into options.
AgentOptions AgentOptionsFromFlags();

// The --deployment_configs flag: what MakeSyncService serves.
std::vector<std::string> DeploymentConfigsFromFlags();

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_AGENT_FLAGS_H_

// The no-op AgentObserver.
#include "lib/agent/agent_observer.h"

namespace secretsync {
namespace agent {

AgentObserver& NoAgentObserver() {
  static AgentObserver* const kNone = new AgentObserver();
  return *kNone;
}

}  // namespace agent
}  // namespace secretsync

// SignalEvents over pthread_sigmask and sigwait.
#include "lib/agent/agent_events.h"

#include <pthread.h>

namespace secretsync {
namespace agent {

SignalEvents::SignalEvents() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGHUP);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

AgentEvent SignalEvents::Next() {
  while (true) {
    int sig = 0;
    if (sigwait(&set_, &sig) != 0) continue;
    if (sig == SIGHUP) return AgentEvent::kReload;
    return AgentEvent::kTerminate;
  }
}

}  // namespace agent
}  // namespace secretsync

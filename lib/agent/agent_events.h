// What the agent's main loop waits for: reload (SIGHUP) or terminate
// (SIGTERM/SIGINT). Real signals in main(), a queue in tests.
#ifndef SECRETSYNC_LIB_AGENT_AGENT_EVENTS_H_
#define SECRETSYNC_LIB_AGENT_AGENT_EVENTS_H_

#include <csignal>

namespace secretsync {
namespace agent {

enum class AgentEvent { kReload, kTerminate };

class AgentEvents {
 public:
  virtual ~AgentEvents() = default;
  // Blocks until the next event.
  virtual AgentEvent Next() = 0;
};

// Signals as events. The constructor blocks SIGHUP, SIGTERM and SIGINT in the
// calling thread, so build it in main() before any other thread starts (they
// inherit the mask and never take these signals); Next() takes them with
// sigwait. Only one per process.
class SignalEvents : public AgentEvents {
 public:
  SignalEvents();
  AgentEvent Next() override;

 private:
  sigset_t set_;
};

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_AGENT_EVENTS_H_

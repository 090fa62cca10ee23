// CommandRunner seam: runs the on-change command (no shell, with a timeout).
#ifndef SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_
#define SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace secretsync {

struct CommandResult {
  int exit_code = 0;     // when it exited
  int term_signal = 0;   // when a signal ended it (0 otherwise)
  bool timed_out = false;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv[0] (looked up in this process's PATH) with exactly `env` as
  // its environment (nothing is inherited), stdin/stdout/stderr inherited and
  // every other descriptor closed. After `timeout` the process group gets
  // SIGTERM, then SIGKILL 5 s later. Errors: InvalidArgument (empty argv),
  // Internal (cannot start; E2BIG for an environment over the kernel's limit).
  // A non-zero exit is a result, not an error.
  virtual absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                            const std::map<std::string, std::string>& env,
                                            absl::Duration timeout) = 0;
};

// fork/exec in a new process group. Thread-compatible.
class RealCommandRunner : public CommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_

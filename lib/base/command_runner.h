// CommandRunner seam: runs the on-change command and the PostgreSQL exec route
// (no shell, with a timeout).
#ifndef SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_
#define SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

  // Like Run, but the child's stdin reads `stdin_data` and then end-of-file
  // (e.g. SQL for `docker compose exec -T postgres psql`). When `stdout_data`
  // is not null the child's stdout is captured into it (the first
  // kMaxStdoutBytes; the rest is read and dropped) instead of being
  // inherited; stderr is always inherited. Data stays off argv and the
  // environment. Errors: those of Run, and InvalidArgument when `stdin_data`
  // is larger than kMaxStdinBytes. The default returns Unimplemented, so
  // runners that never feed stdin need not override it.
  static constexpr size_t kMaxStdinBytes = 64 * 1024;
  static constexpr size_t kMaxStdoutBytes = 1024 * 1024;
  virtual absl::StatusOr<CommandResult> RunWithStdin(
      const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
      absl::Duration timeout, absl::string_view stdin_data, std::string* stdout_data);
};

// fork/exec in a new process group. Thread-compatible.
class RealCommandRunner : public CommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override;
  // stdin (and stdout, when captured) are one end of a socketpair: the data
  // is sent with MSG_NOSIGNAL (no SIGPIPE if the child exits without
  // reading), shut down for writing, then the output is read until
  // end-of-file or the timeout.
  absl::StatusOr<CommandResult> RunWithStdin(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             absl::Duration timeout,
                                             absl::string_view stdin_data,
                                             std::string* stdout_data) override;

 private:
  absl::StatusOr<CommandResult> Spawn(const std::vector<std::string>& argv,
                                      const std::map<std::string, std::string>& env,
                                      absl::Duration timeout, const absl::string_view* stdin_data,
                                      std::string* stdout_data);
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_COMMAND_RUNNER_H_

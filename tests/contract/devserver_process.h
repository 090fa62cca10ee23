// DevServerProcess: runs the real //tools:devserver binary as a child process
// for integration tests, reads its port from the "listening on" line and stops
// it with a signal. Add `data = ["//tools:devserver"]` to the test.
#ifndef SECRETSYNC_TESTS_CONTRACT_DEVSERVER_PROCESS_H_
#define SECRETSYNC_TESTS_CONTRACT_DEVSERVER_PROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace secretsync {
namespace testing {

class DevServerProcess {
 public:
  // $TEST_SRCDIR/secretsync/tools/devserver.
  static std::string BinaryPath();
  // Writes `text` to $TEST_TMPDIR/`name` and returns the path.
  static std::string WriteTempFile(const std::string& name, const std::string& text);

  // Starts the binary with `args` (e.g. {"--listen=127.0.0.1:0", "--seed=F"})
  // and waits up to 30 s for its first stdout line. Unavailable when the
  // process exits first or prints something else (the status then carries
  // the exit code; the log is in stderr_text()).
  static absl::StatusOr<std::unique_ptr<DevServerProcess>> Start(
      const std::vector<std::string>& args);

  // Runs the binary to completion with `args` and returns its exit code;
  // stdout and stderr go to `output` (for --help and startup errors).
  static int RunToExit(const std::vector<std::string>& args, std::string* output);

  ~DevServerProcess();  // SIGKILLs the server if still running

  const std::string& listening_line() const { return listening_line_; }
  int port() const { return port_; }
  // The server's process id (for /proc/PID/status), -1 once stopped.
  pid_t pid() const { return pid_; }
  std::string host() const { return "127.0.0.1"; }
  // Sends `signal` and returns the exit code (128 + signal if killed by it).
  int Stop(int signal = SIGTERM);
  // Everything the server wrote to stderr so far.
  std::string stderr_text() const;

 private:
  DevServerProcess() = default;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string listening_line_;
  std::string stderr_path_;
};

}  // namespace testing
}  // namespace secretsync

#endif  // SECRETSYNC_TESTS_CONTRACT_DEVSERVER_PROCESS_H_

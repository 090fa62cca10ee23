// RealCommandRunner: posix_spawn into its own process group, wait via pidfd.
#include "lib/base/command_runner.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace secretsync {
namespace {

// Waits up to `d` for the child; true when it exited (status filled).
bool WaitFor(pid_t pid, int pidfd, absl::Duration d, int* status) {
  const absl::Time deadline = absl::Now() + d;
  while (true) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    int ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1000));
    if (pidfd >= 0) {
      struct pollfd p = {pidfd, POLLIN, 0};
      poll(&p, 1, ms);
    } else {
      usleep(static_cast<useconds_t>(std::min(ms, 20)) * 1000);
    }
  }
}

}  // namespace

absl::StatusOr<CommandResult> RealCommandRunner::Run(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    absl::Duration timeout) {
  if (argv.empty() || argv[0].empty()) return absl::InvalidArgumentError("command is empty");
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  // Only stdin/stdout/stderr reach the command: not the lock, not a
  // keep-alive connection to Infisical, not whatever this process inherited.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  CommandResult result;
  int status = 0;
  if (!WaitFor(pid, pidfd, timeout, &status)) {
    result.timed_out = true;
    kill(-pid, SIGTERM);
    if (!WaitFor(pid, pidfd, absl::Seconds(5), &status)) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  if (pidfd >= 0) close(pidfd);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
    result.exit_code = 128 + result.term_signal;
  }
  return result;
}

}  // namespace secretsync

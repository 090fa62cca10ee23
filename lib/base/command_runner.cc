// RealCommandRunner: posix_spawn into its own process group, wait via pidfd;
// optional stdin data through a socketpair.
#include "lib/base/command_runner.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

absl::StatusOr<CommandResult> CommandRunner::RunWithStdin(
    const std::vector<std::string>&, const std::map<std::string, std::string>&, absl::Duration,
    absl::string_view, std::string*) {
  return absl::UnimplementedError("this command runner cannot feed stdin");
}

absl::StatusOr<CommandResult> RealCommandRunner::Run(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    absl::Duration timeout) {
  return Spawn(argv, env, timeout, nullptr, nullptr);
}

absl::StatusOr<CommandResult> RealCommandRunner::RunWithStdin(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    absl::Duration timeout, absl::string_view stdin_data, std::string* stdout_data) {
  if (stdin_data.size() > kMaxStdinBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("command stdin: ", stdin_data.size(), " bytes is more than ",
                     kMaxStdinBytes));
  }
  if (stdout_data != nullptr) stdout_data->clear();
  return Spawn(argv, env, timeout, &stdin_data, stdout_data);
}

absl::StatusOr<CommandResult> RealCommandRunner::Spawn(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    absl::Duration timeout, const absl::string_view* stdin_data, std::string* stdout_data) {
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
  // stdin and (when captured) stdout: one socketpair rather than two pipes, so that sending to
  // a child that exited without reading is EPIPE (MSG_NOSIGNAL), not a
  // SIGPIPE. The data fits in the socket buffer (kMaxStdinBytes), so sending
  // never blocks before the output is read.
  int sv[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_data != nullptr) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      int err = errno;
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attr);
      return absl::InternalError(absl::StrCat("cannot start ", argv[0],
                                              ": socketpair: ", std::strerror(err)));
    }
    int size = static_cast<int>(kMaxStdinBytes) * 2;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDIN_FILENO);
    if (stdout_data != nullptr) posix_spawn_file_actions_adddup2(&actions, sv[1], STDOUT_FILENO);
  }
  // Only stdin/stdout/stderr reach the command: not the lock, not a
  // keep-alive connection to Infisical, not whatever this process inherited.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (stdin_data != nullptr) close(sv[1]);
  if (rc != 0) {
    if (stdin_data != nullptr) close(sv[0]);
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(rc)));
  }
  const absl::Time deadline = absl::Now() + timeout;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  CommandResult result;
  if (stdin_data != nullptr) {
    absl::string_view left = *stdin_data;
    while (!left.empty()) {
      ssize_t n = send(sv[0], left.data(), left.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child closed its stdin: its exit code tells
      left.remove_prefix(static_cast<size_t>(n));
    }
    shutdown(sv[0], SHUT_WR);
    // The child's stdout is the same socket: read until every holder closed
    // it (end-of-file) or the deadline passes.
    char buf[4096];
    while (stdout_data != nullptr) {
      int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (ms <= 0) break;
      struct pollfd p = {sv[0], POLLIN, 0};
      int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
      if (r <= 0) continue;  // EINTR or a slice of the wait passed
      ssize_t n = read(sv[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      size_t room = kMaxStdoutBytes - stdout_data->size();
      stdout_data->append(buf, std::min(room, static_cast<size_t>(n)));
    }
    close(sv[0]);
  }
  int status = 0;
  absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
  if (!WaitFor(pid, pidfd, left, &status)) {
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

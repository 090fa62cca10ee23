// fork/exec of the devserver binary with its stdout on a pipe.
#include "tests/contract/devserver_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace testing {
namespace {

std::string TmpDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

pid_t Spawn(const std::vector<std::string>& args, int stdout_fd, int stderr_fd) {
  std::vector<std::string> argv_storage = {DevServerProcess::BinaryPath()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(stdout_fd, STDOUT_FILENO);
    ::dup2(stderr_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::atomic<int> counter{0};

}  // namespace

std::string DevServerProcess::BinaryPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/secretsync/tools/devserver");
}

std::string DevServerProcess::WriteTempFile(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat(TmpDir(), "/", name);
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

absl::StatusOr<std::unique_ptr<DevServerProcess>> DevServerProcess::Start(
    const std::vector<std::string>& args) {
  std::unique_ptr<DevServerProcess> p(new DevServerProcess());
  p->stderr_path_ = absl::StrCat(TmpDir(), "/devserver-", ::getpid(), "-", counter++, ".log");
  int err_fd = ::open(p->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int fds[2];
  if (err_fd < 0 || ::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError("devserver test: cannot create pipe or log file");
  }
  p->pid_ = Spawn(args, fds[1], err_fd);
  ::close(fds[1]);
  ::close(err_fd);
  p->stdout_fd_ = fds[0];
  std::string line;
  while (line.empty() || line.back() != '\n') {
    pollfd pfd{p->stdout_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 30000);
    char c;
    if (ready <= 0 || ::read(p->stdout_fd_, &c, 1) != 1) break;
    line.push_back(c);
  }
  if (line.empty() || line.back() != '\n') {
    int code = p->Stop(SIGKILL);
    return absl::UnavailableError(
        absl::StrCat("devserver did not start: exit ", code, "; log:\n", p->stderr_text()));
  }
  line.pop_back();
  p->listening_line_ = line;
  size_t colon = line.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(line.substr(colon + 1), &p->port_)) {
    p->Stop(SIGKILL);
    return absl::UnavailableError(absl::StrCat("devserver: unexpected first line: ", line));
  }
  return p;
}

int DevServerProcess::RunToExit(const std::vector<std::string>& args, std::string* output) {
  std::string path = absl::StrCat(TmpDir(), "/devserver-run-", ::getpid(), "-", counter++, ".out");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_t pid = Spawn(args, fd, fd);
  ::close(fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  *output = ReadFile(path);
  return ExitCodeOf(status);
}

int DevServerProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return ExitCodeOf(status);
}

std::string DevServerProcess::stderr_text() const { return ReadFile(stderr_path_); }

DevServerProcess::~DevServerProcess() {
  if (pid_ > 0) Stop(SIGKILL);
}

}  // namespace testing
}  // namespace secretsync

// CommandHealthChecker: exit code, signal or timeout as the detail.
#include "lib/health/command_health_checker.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace health {

CommandHealthChecker::CommandHealthChecker(CommandRunner& runner, std::vector<std::string> argv,
                                           std::map<std::string, std::string> env)
    : runner_(runner), argv_(std::move(argv)), env_(std::move(env)) {}

std::string CommandHealthChecker::Label() const {
  if (argv_.empty()) return "";
  const std::string& program = argv_[0];
  const size_t slash = program.rfind('/');
  return slash == std::string::npos ? program : program.substr(slash + 1);
}

AttemptResult CommandHealthChecker::Attempt(absl::Duration timeout) {
  std::string output;
  absl::StatusOr<CommandResult> result =
      runner_.RunWithStdin(argv_, env_, timeout, /*stdin_data=*/"", &output);
  WipeString(output);
  if (!result.ok()) return {false, absl::StrCat("cannot start ", Label())};
  if (result->timed_out) {
    return {false, absl::StrCat("timed out after ", absl::ToInt64Milliseconds(timeout), " ms")};
  }
  if (result->term_signal != 0) return {false, absl::StrCat("killed by signal ", result->term_signal)};
  if (result->exit_code != 0) return {false, absl::StrCat("exit ", result->exit_code)};
  return {true, "exit 0"};
}

}  // namespace health
}  // namespace secretsync

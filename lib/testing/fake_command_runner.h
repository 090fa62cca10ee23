// FakeCommandRunner: records the commands it is asked to run (and the stdin
// they were given) and returns a canned result (and canned stdout).
#ifndef SECRETSYNC_LIB_TESTING_FAKE_COMMAND_RUNNER_H_
#define SECRETSYNC_LIB_TESTING_FAKE_COMMAND_RUNNER_H_

#include <map>
#include <string>
#include <vector>

#include "lib/base/command_runner.h"

namespace secretsync {

class FakeCommandRunner : public CommandRunner {
 public:
  struct Call {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    absl::Duration timeout;
    std::string stdin_data;  // empty for Run()
  };
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& env,
                                    absl::Duration timeout) override {
    calls.push_back(Call{argv, env, timeout, ""});
    return result;
  }
  absl::StatusOr<CommandResult> RunWithStdin(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             absl::Duration timeout,
                                             absl::string_view stdin_data,
                                             std::string* stdout_data) override {
    calls.push_back(Call{argv, env, timeout, std::string(stdin_data)});
    if (stdout_data != nullptr) *stdout_data = stdout_reply;
    return result;
  }
  std::vector<Call> calls;
  std::string stdout_reply;  // what RunWithStdin "prints" when captured
  absl::StatusOr<CommandResult> result = CommandResult{};
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_FAKE_COMMAND_RUNNER_H_

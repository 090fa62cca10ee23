// CommandHealthChecker: run an argv (no shell) through the CommandRunner
// seam; exit 0 means healthy.
#ifndef SECRETSYNC_LIB_HEALTH_COMMAND_HEALTH_CHECKER_H_
#define SECRETSYNC_LIB_HEALTH_COMMAND_HEALTH_CHECKER_H_

#include <map>
#include <string>
#include <vector>

#include "lib/base/command_runner.h"
#include "lib/health/health_checker.h"

namespace secretsync {
namespace health {

// Runs `argv` with exactly `env` as its environment. Its stdout is captured
// and dropped (it may print values); its stderr is inherited, as the
// on-change command's is. The detail names the exit code, signal or timeout,
// never the output. Does not own `runner`, which must outlive it.
// Thread-compatible.
class CommandHealthChecker : public HealthChecker {
 public:
  CommandHealthChecker(CommandRunner& runner, std::vector<std::string> argv,
                       std::map<std::string, std::string> env);
  std::string Label() const override;  // argv[0]'s basename
  AttemptResult Attempt(absl::Duration timeout) override;

 private:
  CommandRunner& runner_;
  std::vector<std::string> argv_;
  std::map<std::string, std::string> env_;
};

}  // namespace health
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HEALTH_COMMAND_HEALTH_CHECKER_H_

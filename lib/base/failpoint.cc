// SIGKILL at a named step, for crash tests only.
#include "lib/base/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace secretsync {

std::function<void(absl::string_view)> FailpointFromEnvironment(const Environment& env) {
  std::optional<std::string> spec = env.Get(kFailpointVariable);
  if (!spec.has_value() || !absl::StartsWith(*spec, "after:")) {
    return [](absl::string_view) {};
  }
  std::string step(absl::StripPrefix(*spec, "after:"));
  return [step](absl::string_view at) {
    if (at == step) {
      kill(getpid(), SIGKILL);
      _exit(137);  // not reached
    }
  };
}

}  // namespace secretsync

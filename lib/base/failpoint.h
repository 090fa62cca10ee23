// A test-only failpoint: SECRETSYNC_TEST_FAILPOINT=after:<step> makes
// `rotate` or `sync` kill itself with SIGKILL right after that step, so crash
// tests can resume from every step boundary. Unset (always, outside tests):
// no effect.
#ifndef SECRETSYNC_LIB_BASE_FAILPOINT_H_
#define SECRETSYNC_LIB_BASE_FAILPOINT_H_

#include <functional>

#include "absl/strings/string_view.h"
#include "lib/base/environment.h"

namespace secretsync {

inline constexpr char kFailpointVariable[] = "SECRETSYNC_TEST_FAILPOINT";

// The failpoint `env` asks for: a function that raises SIGKILL when called
// with the named step, and does nothing for other steps (or when unset).
std::function<void(absl::string_view)> FailpointFromEnvironment(const Environment& env);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_FAILPOINT_H_

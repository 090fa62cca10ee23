// The one rule for environment variable names, shared by the config loader,
// the template parser, the dotenv writer and reader, and the sync plan.
#ifndef SECRETSYNC_LIB_DOTENV_ENV_NAME_H_
#define SECRETSYNC_LIB_DOTENV_ENV_NAME_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace dotenv {

// True if `name` matches ^[A-Za-z_][A-Za-z0-9_]*$: what docker compose, POSIX
// shells and Python's os.environ all accept as a variable name.
bool IsEnvName(absl::string_view name);

// OK if IsEnvName(name); otherwise InvalidArgument
// "invalid environment variable name "<C-escaped name>": must match ...".
absl::Status ValidateEnvName(absl::string_view name);

}  // namespace dotenv
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DOTENV_ENV_NAME_H_

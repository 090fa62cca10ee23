// ResolveUserPath implementation.
#include "lib/base/user_path.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace secretsync {

std::string ResolveUserPath(absl::string_view path, const Environment& env) {
  if (path.empty() || path[0] == '/') return std::string(path);
  std::optional<std::string> wd = env.Get("BUILD_WORKING_DIRECTORY");
  if (!wd || wd->empty()) return std::string(path);
  return absl::StrCat(*wd, "/", path);
}

std::string AbsoluteUserPath(absl::string_view path, const Environment& env) {
  std::string resolved = ResolveUserPath(path, env);
  if (resolved.empty() || resolved[0] == '/') return resolved;
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return resolved;
  return absl::StrCat(cwd, "/", resolved);
}

}  // namespace secretsync

// Resolves paths given on the command line: under `bazel run` the process
// starts in its runfiles tree, and the caller's folder is BUILD_WORKING_DIRECTORY.
#ifndef SECRETSYNC_LIB_BASE_USER_PATH_H_
#define SECRETSYNC_LIB_BASE_USER_PATH_H_

#include <string>

#include "absl/strings/string_view.h"
#include "lib/base/environment.h"

namespace secretsync {

// Returns `path` unchanged when empty or absolute; otherwise joined to
// $BUILD_WORKING_DIRECTORY when set, else returned as is (relative to cwd).
std::string ResolveUserPath(absl::string_view path, const Environment& env);

// ResolveUserPath, then a still-relative result joined to the process's
// current folder, so the path keeps its meaning after a chdir.
std::string AbsoluteUserPath(absl::string_view path, const Environment& env);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_USER_PATH_H_

// The version and the commit a binary was built from, for `--version` and
// the Debian package (one source: the VERSION file at the repository root).
#ifndef SECRETSYNC_LIB_BASE_BUILD_INFO_H_
#define SECRETSYNC_LIB_BASE_BUILD_INFO_H_

#include <string>

#include "absl/strings/string_view.h"

namespace secretsync {

// The release version, e.g. "0.2.0" (VERSION at the repository root).
absl::string_view BuildVersion();

// The git commit the build came from (12 hex digits, "-dirty" when the
// tracked files differed from it), or "unknown" outside a git checkout.
absl::string_view BuildCommit();

// The line `--version` prints: "secretsync 0.2.0 (commit 0123456789ab)\n".
std::string VersionLine();

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_BUILD_INFO_H_

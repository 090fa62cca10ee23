// BuildVersion/BuildCommit: values generated at build time by
// //lib/base:build_info_values from VERSION and the workspace status.
#include "lib/base/build_info.h"

#include "absl/strings/str_cat.h"

namespace secretsync {
namespace {
#include "lib/base/build_info_values.inc"
}  // namespace

absl::string_view BuildVersion() { return kBuildVersion; }

absl::string_view BuildCommit() { return kBuildCommit; }

std::string VersionLine() {
  return absl::StrCat("secretsync ", BuildVersion(), " (commit ", BuildCommit(), ")\n");
}

}  // namespace secretsync

// Flag parsing shared by every binary: usage text with the exit-code table,
// --help listing the tool's own flags, and no stray positional arguments.
#ifndef SECRETSYNC_LIB_BASE_TOOL_FLAGS_H_
#define SECRETSYNC_LIB_BASE_TOOL_FLAGS_H_

#include "absl/strings/string_view.h"

namespace secretsync {

// Rewrites '-' to '_' in the names of --flags (not in values, and not after a
// bare "--"), so --dry-run and --dry_run mean the same.
void UnderscoreFlagNames(int argc, char** argv);

// Sets the usage message (`usage` + the exit codes), makes --help show the
// flags defined in files whose path contains `flags_file` (e.g.
// "tools/keygen_flags"), and parses argv; flag names may use '-' or '_'.
// Exits 0 after printing --help (or --helpfull, --version), and 64 on an
// unknown flag, a malformed flag value or a positional argument.
void ParseToolFlags(int argc, char** argv, absl::string_view usage,
                    absl::string_view flags_file);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_TOOL_FLAGS_H_

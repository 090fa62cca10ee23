// ParseToolFlags implementation over absl flags.
#include "lib/base/tool_flags.h"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"

namespace secretsync {
namespace {
std::string* flags_file_filter = nullptr;
}  // namespace

void UnderscoreFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (arg[0] != '-' || arg[1] != '-') continue;
    if (arg[2] == '\0') return;  // "--": the rest are not flags
    for (char* c = arg + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
}

void ParseToolFlags(int argc, char** argv, absl::string_view usage,
                    absl::string_view flags_file) {
  UnderscoreFlagNames(argc, argv);
  flags_file_filter = new std::string(flags_file);  // lives for the process
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, *flags_file_filter) || absl::StrContains(path, "_main.cc");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [] { return std::string("secretsync 0.1.0\n"); };
  config.normalize_filename = [](absl::string_view f) { return std::string(f); };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(absl::StrCat(usage, "\n", ExitCodeHelp()));
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::cerr << argv[0] << ": unexpected argument \"" << rest[1]
              << "\": every option is a --flag (see --help)\n";
    std::exit(kExitUsage);
  }
}

}  // namespace secretsync

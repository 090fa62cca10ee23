// ParseToolFlags implementation over absl flags.
#include "lib/base/tool_flags.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/build_info.h"
#include "lib/base/exit_codes.h"

namespace secretsync {
namespace {
std::string* flags_file_filter = nullptr;

// abseil reports a bad flag (unknown name, malformed value) and calls
// exit(1); the exit-code table says 64. While parsing, an exit is one of
// those, so this atexit handler turns it into 64.
std::atomic<bool> parsing_flags{false};
void ExitUsageWhileParsing() {
  if (parsing_flags.load()) {
    std::fflush(stderr);
    _exit(kExitUsage);
  }
}
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
  config.version_string = [] { return VersionLine(); };
  config.normalize_filename = [](absl::string_view f) { return std::string(f); };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(absl::StrCat(usage, "\n", ExitCodeHelp()));
  std::atexit(ExitUsageWhileParsing);
  parsing_flags = true;
  std::vector<char*> rest = absl::flags_internal::ParseCommandLineImpl(
      argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
      absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
      absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  parsing_flags = false;
  // --help, --helpfull, --version: printed as asked, which is success (abseil
  // itself would exit 1 after --help).
  const int asked = absl::flags_internal::HandleUsageFlags(std::cout, absl::ProgramUsageMessage());
  if (asked != -1) {
    std::cout.flush();
    std::exit(kExitOk);
  }
  if (rest.size() > 1) {
    std::cerr << argv[0] << ": unexpected argument \"" << rest[1]
              << "\": every option is a --flag (see --help)\n";
    std::exit(kExitUsage);
  }
}

}  // namespace secretsync

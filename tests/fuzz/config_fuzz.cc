// Fuzzes the deployment config loader (lib/config/loader.h ParseConfig) on
// arbitrary text-format input, with and without command-line overrides.
// Invariants: no crash; an accepted config has the defaults filled in
// (file_mode, lock_file) and only absolute template/output paths.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "lib/config/loader.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

void CheckLoaded(const config::LoadedConfig& loaded) {
  const auto& c = loaded.config;
  Check(!c.file_mode().empty(), "accepted config without a file mode");
  Check(c.output_path().empty() || absl::StartsWith(c.lock_file(), "/"),
        "accepted config without an absolute lock file");
  Check(c.template_path().empty() || absl::StartsWith(c.template_path(), "/"),
        "accepted config with a relative template path");
  Check(c.output_path().empty() || absl::StartsWith(c.output_path(), "/"),
        "accepted config with a relative output path");
}

void FuzzOne(absl::string_view text) {
  auto plain = config::ParseConfig(text, "fuzz.textproto", "/etc/secretsync");
  if (plain.ok()) CheckLoaded(*plain);
  config::ConfigOverrides overrides;
  overrides.environment = "staging";
  overrides.output_path = "/srv/app/.env";
  auto over = config::ParseConfig(text, "fuzz.textproto", "/etc/secretsync", overrides);
  if (over.ok()) {
    CheckLoaded(*over);
    Check(over->config.output_path() == "/srv/app/.env", "output override not applied");
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

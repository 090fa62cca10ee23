// Fuzzes the template parser and renderer (lib/template) and the dotenv
// writer/reader behind them. Invariants: no crash on any text; a failed
// parse or render never quotes a secret value; a rendered file written by the
// dotenv writer reads back (compose's rules) as exactly the values Render
// promised in RenderedEnv::Values().
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/dotenv/reader.h"
#include "lib/dotenv/writer.h"
#include "lib/template/template.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

void FuzzOne(absl::string_view text) {
  if (InputHasCanary(text)) return;  // see fuzz_check.h
  auto parsed = tmpl::ParseTemplate(text, "fuzz.env.template");
  if (!parsed.ok()) return;  // parse errors quote template text, which holds no secrets

  // Every referenced secret exists and holds the canary, except names that
  // start with 'M' (missing), so both Render outcomes are reached.
  std::map<std::string, SecretValue, std::less<>> secrets;
  for (const std::string& name : parsed->ReferencedNames()) {
    if (absl::StartsWith(name, "M")) continue;
    secrets.emplace(name, SecretValue(absl::string_view(kCanary)));
  }
  auto rendered = tmpl::Render(*parsed, tmpl::MapLookup(secrets));
  CheckMessageFree(rendered.status(), kCanary, "render error quotes a secret value");
  if (!rendered.ok()) return;

  auto written = dotenv::WriteDotenv(*rendered);
  CheckMessageFree(written.status(), kCanary, "writer error quotes a secret value");
  if (!written.ok()) return;

  auto reread = dotenv::ParseDotenv(written->Expose(), "fuzz.env");
  CheckMessageFree(reread.status(), kCanary, "reader error quotes a secret value");
  Check(reread.ok(), "a written .env does not read back");
  const auto promised = rendered->Values();
  Check(reread->size() == promised.size(), "read-back .env has other keys than rendered");
  for (const auto& [key, value] : promised) {
    auto it = reread->find(key);
    Check(it != reread->end(), "a rendered key is missing after read-back");
    Check(it->second == *value, "a rendered value reads back differently");
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

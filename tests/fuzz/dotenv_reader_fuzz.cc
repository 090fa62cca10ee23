// Fuzzes the dotenv reader, strict (ParseDotenv) and lenient
// (ParseDotenvLenient). Invariants: no crash; with a canary-valued variable
// defined on the first line, no error message quotes it (the rest of the input
// may reference it as $CANARY_KEY); whatever the strict reader reads, written
// back by the writer, reads back identically; the lenient reader never fails
// and, when it skips nothing, agrees with the strict one.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/dotenv/reader.h"
#include "lib/dotenv/rendered_env.h"
#include "lib/dotenv/writer.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

void FuzzOne(absl::string_view input) {
  if (InputHasCanary(input)) return;  // see fuzz_check.h
  const std::string text = absl::StrCat("CANARY_KEY='", kCanary, "'\n", input);
  auto strict = dotenv::ParseDotenv(text, "fuzz.env");
  CheckMessageFree(strict.status(), kCanary, "reader error quotes a value");
  dotenv::LenientDotenv lenient = dotenv::ParseDotenvLenient(SecretValue(text));
  if (!strict.ok()) return;

  // Lenient mode treats the lines after a skipped statement as the rest of a
  // broken multi-line value (reader.cc), so the two agree only when lenient
  // skipped nothing.
  if (lenient.unparsable_lines == 0) {
    Check(lenient.values.size() == strict->size(), "lenient and strict readers read other keys");
    for (const auto& [key, value] : *strict) {
      auto it = lenient.values.find(key);
      Check(it != lenient.values.end() && it->second == value,
            "lenient and strict readers read other values");
    }
  }

  dotenv::RenderedEnv env;
  for (const auto& [key, value] : *strict) env.AddEntry(key, false, value.Copy());
  auto written = dotenv::WriteDotenv(env);
  CheckMessageFree(written.status(), kCanary, "writer error quotes a value");
  if (!written.ok()) return;  // NUL or invalid UTF-8 in a value: refused by design
  auto reread = dotenv::ParseDotenv(written->Expose(), "fuzz.env");
  Check(reread.ok(), "a rewritten .env does not read back");
  Check(reread->size() == strict->size(), "a rewritten .env has other keys");
  for (const auto& [key, value] : *strict) {
    auto it = reread->find(key);
    Check(it != reread->end() && it->second == value, "a rewritten value reads back differently");
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

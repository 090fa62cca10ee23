// Fuzzes the dotenv writer: every value the writer accepts must read back
// through the reader (strict and lenient) byte for byte, under its key.
// Errors must name keys, never values (every other value carries the canary).
//
// Input layout: repeated records [flags][len][len bytes of value]; flags bit 0
// = export prefix, bit 1 = put the canary in front of the value, bits 2-3 pick
// the key (K<i>, _k<i>, lowercase, or an invalid 9K<i>).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

struct Entry {
  std::string key;
  bool export_prefix;
  std::string value;
};

std::vector<Entry> Decode(absl::string_view in) {
  std::vector<Entry> out;
  while (in.size() >= 2 && out.size() < 64) {
    uint8_t flags = static_cast<uint8_t>(in[0]);
    size_t len = static_cast<uint8_t>(in[1]);
    in.remove_prefix(2);
    if (len > in.size()) len = in.size();
    Entry e;
    e.export_prefix = flags & 1;
    e.value = (flags & 2) ? absl::StrCat(kCanary, in.substr(0, len)) : std::string(in.substr(0, len));
    in.remove_prefix(len);
    const char* forms[] = {"K", "_k", "lower_", "9K"};
    e.key = absl::StrCat(forms[(flags >> 2) & 3], out.size());
    out.push_back(std::move(e));
  }
  return out;
}

void FuzzOne(absl::string_view input) {
  std::vector<Entry> entries = Decode(input);
  dotenv::RenderedEnv env;
  std::vector<const Entry*> accepted;
  for (const Entry& e : entries) {
    std::string line = "unchanged";
    absl::Status s = dotenv::AppendDotenvLine(e.key, e.export_prefix, SecretValue(e.value), &line);
    CheckMessageFree(s, kCanary, "writer error quotes a value");
    if (!s.ok()) {
      Check(line == "unchanged", "AppendDotenvLine changed its output on error");
      continue;
    }
    env.AddEntry(e.key, e.export_prefix, SecretValue(e.value));
    accepted.push_back(&e);
  }
  auto written = dotenv::WriteDotenv(env);
  CheckMessageFree(written.status(), kCanary, "WriteDotenv error quotes a value");
  Check(written.ok(), "WriteDotenv refuses lines AppendDotenvLine accepted");

  auto strict = dotenv::ParseDotenv(written->Expose(), "fuzz.env");
  CheckMessageFree(strict.status(), kCanary, "reader error quotes a value");
  Check(strict.ok(), "a written .env does not read back");
  Check(strict->size() == accepted.size(), "read-back .env has other keys than written");
  dotenv::LenientDotenv lenient = dotenv::ParseDotenvLenient(*written);
  Check(lenient.unparsable_lines == 0, "lenient reader skips lines of a written .env");
  Check(lenient.values.size() == accepted.size(), "lenient read-back has other keys");
  for (const Entry* e : accepted) {
    SecretValue want(e->value);
    auto it = strict->find(e->key);
    Check(it != strict->end() && it->second == want, "a written value reads back differently");
    auto lt = lenient.values.find(e->key);
    Check(lt != lenient.values.end() && lt->second == want,
          "a written value reads back differently (lenient)");
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// Table-driven tests for IsValidUtf8.
#include "lib/base/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(Utf8Test, AcceptsWellFormedAndRejectsMalformed) {
  struct Case {
    std::string bytes;
    bool valid;
  };
  const Case kCases[] = {
      {"", true},
      {"plain ascii", true},
      {"\xC3\xA9", true},                // é
      {"\xE2\x82\xAC", true},            // €
      {"\xF0\x9F\x94\x91", true},        // 🔑
      {"\xF4\x8F\xBF\xBF", true},        // U+10FFFF
      {"\xC3", false},                   // truncated
      {"\xC0\xAF", false},               // overlong
      {"\xE0\x80\xAF", false},           // overlong
      {"\xED\xA0\x80", false},           // surrogate
      {"\xF4\x90\x80\x80", false},       // above U+10FFFF
      {"\xFF", false},
      {"a\x80", false},                  // stray continuation
      {"\xE2\x28\xA1", false},           // bad continuation
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(IsValidUtf8(c.bytes), c.valid) << "case index " << (&c - kCases);
  }
}

}  // namespace
}  // namespace secretsync

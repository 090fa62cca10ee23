// Table-driven tests for ParseDotenv (compose's reading rules).
#include "lib/dotenv/reader.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace dotenv {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ReaderTest, ReadsValuesLikeCompose) {
  struct Case {
    std::string text;
    std::string key;
    std::string value;
  };
  const Case kCases[] = {
      {"A=plain", "A", "plain"},
      {"A=  spaced out  ", "A", "spaced out"},
      {"A=x #comment", "A", "x"},
      {"A=x#notcomment", "A", "x#notcomment"},
      {"export A=1", "A", "1"},
      {"A: colon", "A", "colon"},
      {"A='lit $X \\n \\' #'", "A", "lit $X \\n ' #"},
      {"A='multi\nline'", "A", "multi\nline"},
      {"A=\"esc \\\\ \\\" \\$ \\n \\r \\t \\q\"", "A", "esc \\ \" $ \n \r \t \\q"},
      {"A=\"\\0101\"", "A", "A"},
      {"A=\"x\" # c", "A", "x"},
      {"A=\"ends in \\\\\"", "A", "ends in \\"},
      {"A=$$5 and $$$$", "A", "$5 and $$"},
      {"B=1\nA=${B}-$B-${C:-d}-${B:+alt}-${C-e}", "A", "1-1-d-alt-e"},
      {"A=$UNSET|${UNSET}|$", "A", "||$"},
      {"\xEF\xBB\xBF" "A=bom", "A", "bom"},
      {"# c\n\n  A=1\r\n", "A", "1"},
      {"A=1\nA=2", "A", "2"},
      {"A=", "A", ""},
      {"A=''", "A", ""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(absl::StrCat("case ", &c - kCases));
    auto parsed = ParseDotenv(c.text, ".env");
    ASSERT_THAT(parsed, IsOk());
    auto it = parsed->find(c.key);
    ASSERT_NE(it, parsed->end());
    EXPECT_EQ(it->second.Expose(), c.value);
  }
}

TEST(ReaderTest, DigitKeysAndBareKeysAreSkipped) {
  auto parsed = ParseDotenv("1A=x\nBARE\nB=2\n", ".env");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->count("B"), 1u);
}

TEST(ReaderTest, ErrorsNameFileLineAndKeyButNoValue) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case kCases[] = {
      {"A=1\nB='CANARYv\n", "dotenv .env:2: unterminated single-quoted value for B"},
      {"B=\"CANARYv", "dotenv .env:1: unterminated double-quoted value for B"},
      {"B='CANARYv' tail", "dotenv .env:1: unexpected text after the closing quote of B"},
      {"B=${CANARYv", "dotenv .env:1: unterminated ${ in the value of B"},
      {"B=${:CANARYv}", "dotenv .env:1: malformed ${ in the value of B"},
      {"B=${X:?CANARYv}", "dotenv .env:1: required variable X is missing in the value of B"},
      {"=CANARYv", "dotenv .env:1: expected a KEY=value line"},
      {"A B=CANARYv", "dotenv .env:1: invalid key starting A: expected '=' after it"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(absl::StrCat("case ", &c - kCases));
    auto parsed = ParseDotenv(c.text, ".env");
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument, c.message));
    EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr("CANARYv")));
  }
}

}  // namespace
}  // namespace dotenv
}  // namespace secretsync

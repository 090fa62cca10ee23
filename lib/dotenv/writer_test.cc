// Tests for the dotenv writer: exact quoting per docs/dotenv.md, rejections, and
// a property test reading thousands of random values back with an independent
// compose-rule parser written here and with the production reader.
#include "lib/dotenv/writer.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/dotenv/reader.h"
#include "lib/dotenv/rendered_env.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace dotenv {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-91be";

std::string WriteOne(absl::string_view value) {
  RenderedEnv env;
  env.AddEntry("K", false, SecretValue(value));
  auto out = WriteDotenv(env);
  EXPECT_THAT(out, IsOk());
  return out.ok() ? std::string(out->Expose()) : "";
}

TEST(WriterTest, QuotesExactlyAsTheRuleSays) {
  struct Case {
    std::string value;
    std::string line;
  };
  const Case kCases[] = {
      {"", "K=''\n"},
      {"plain", "K='plain'\n"},
      {"a $b ${c} `d` # \"e\" \\f\tg", "K='a $b ${c} `d` # \"e\" \\f\tg'\n"},
      {"multi\nline", "K='multi\nline'\n"},
      {"it's", "K=\"it's\"\n"},
      {"ends\\", "K=\"ends\\\\\"\n"},
      {"cr\r\n", "K=\"cr\\r\\n\"\n"},
      {"'$\"\\`\t", "K=\"'\\$\\\"\\\\`\t\"\n"},
      {"$$'", "K=\"\\$\\$'\"\n"},
      {"\xC3\xA9'", "K=\"\xC3\xA9'\"\n"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(WriteOne(c.value), c.line) << "case " << (&c - kCases);
  }
}

TEST(WriterTest, KeepsVerbatimLinesAndExportAndOrder) {
  RenderedEnv env;
  env.AddVerbatim("# header", "", SecretValue());
  env.AddEntry("B", true, SecretValue(std::string("x")));
  env.AddVerbatim("", "", SecretValue());
  env.AddVerbatim("A=\"kept as is\"", "A", SecretValue(std::string("kept as is")));
  auto out = WriteDotenv(env);
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(out->Expose(), "# header\nexport B='x'\n\nA=\"kept as is\"\n");
}

TEST(WriterTest, RejectsBadKeysDuplicatesNulAndInvalidUtf8NamingTheKey) {
  struct Case {
    std::string key;
    std::string value;
    std::string message;
  };
  const Case kCases[] = {
      {"NUL_KEY", std::string(kCanary) + std::string(1, '\0'),
       "dotenv: value of NUL_KEY contains a NUL byte"},
      {"BAD_UTF8", std::string(kCanary) + "\xC3", "dotenv: value of BAD_UTF8 is not valid UTF-8"},
      {"9KEY", kCanary, "dotenv: invalid environment variable name \"9KEY\""},
  };
  for (const Case& c : kCases) {
    RenderedEnv env;
    env.AddEntry(c.key, false, SecretValue(c.value));
    auto out = WriteDotenv(env);
    EXPECT_THAT(out, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
    EXPECT_THAT(std::string(out.status().message()), Not(HasSubstr(kCanary)));
  }
  RenderedEnv dup;
  dup.AddEntry("A", false, SecretValue(std::string(kCanary)));
  dup.AddVerbatim("A=1", "A", SecretValue(std::string("1")));
  EXPECT_THAT(WriteDotenv(dup),
              StatusIs(absl::StatusCode::kInvalidArgument, "dotenv: duplicate key A"));
}

// An independent reading of one `KEY=...` statement with compose's rules as
// docs/dotenv.md states them, deliberately not sharing code with reader.cc.
// Returns false on a parse failure.
bool ComposeRead(const std::string& file, std::string* key, std::string* value) {
  size_t eq = file.find('=');
  if (eq == std::string::npos) return false;
  *key = file.substr(0, eq);
  std::string rest = file.substr(eq + 1);
  std::string raw;
  enum { kUnquoted, kSingle, kDouble } form = kUnquoted;
  if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"')) {
    form = rest[0] == '\'' ? kSingle : kDouble;
    size_t i = 1;
    bool closed = false;
    for (; i < rest.size(); ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size() && (form == kDouble || rest[i + 1] == '\'')) {
        ++i;
        continue;
      }
      if (rest[i] == rest[0]) {
        closed = true;
        break;
      }
    }
    if (!closed || rest.substr(i + 1) != "\n") return false;
    raw = rest.substr(1, i - 1);
  } else {
    raw = rest.substr(0, rest.find('\n'));
    size_t hash = raw.find(" #");
    if (hash != std::string::npos) raw.resize(hash);
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.pop_back();
    while (!raw.empty() && (raw[0] == ' ' || raw[0] == '\t')) raw.erase(0, 1);
  }
  std::string decoded;
  if (form == kSingle) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw.compare(i, 2, "\\'") == 0) {
        decoded += '\'';
        ++i;
      } else {
        decoded += raw[i];
      }
    }
    *value = decoded;
    return true;
  }
  if (form == kDouble) {
    static const std::string kFrom = "abfnrtv\\\"";
    static const std::string kTo = "\a\b\f\n\r\t\v\\\"";
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\' || i + 1 == raw.size()) {
        decoded += raw[i];
        continue;
      }
      char e = raw[i + 1];
      size_t k = kFrom.find(e);
      if (k != std::string::npos) {
        decoded += kTo[k];
        ++i;
      } else if (e == '$') {
        decoded += "$$";
        ++i;
      } else {
        decoded += '\\';  // unknown escape stays two characters (octal unused here)
      }
    }
  } else {
    decoded = raw;
  }
  // Interpolation: `$$` -> `$`; a name or `{` after `$` is a variable, which
  // the writer must never produce (an unset variable would read as "").
  std::string out;
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (decoded[i] != '$' || i + 1 == decoded.size()) {
      out += decoded[i];
      continue;
    }
    char n = decoded[i + 1];
    if (n == '$') {
      out += '$';
      ++i;
    } else if (n == '{' || n == '_' || (n >= 'A' && n <= 'Z') || (n >= 'a' && n <= 'z')) {
      return false;
    } else {
      out += '$';
    }
  }
  *value = out;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string RandomValue(std::mt19937_64& rng) {
  static const std::vector<std::string> kPieces = {
      "'", "\"", "$", "$$", "${", "}", "$A", "#", " #", "\\", "\\\\", "\\'", "\\\"", "\\$",
      "\\n", " ", "\t", "\n", "\r", "\r\n", "=", "`", "a", "Z", "0", "_", "{", "\xC3\xA9",
      "\xE2\x82\xAC", "\xF0\x9F\x94\x91", "\\0101", ":", "-", "?", "+"};
  std::uniform_int_distribution<int> len(0, 12);
  std::uniform_int_distribution<size_t> pick(0, kPieces.size());
  std::uniform_int_distribution<uint32_t> cp(0x1, 0x10FFFF);
  std::string out;
  int n = len(rng);
  for (int i = 0; i < n; ++i) {
    size_t k = pick(rng);
    if (k < kPieces.size()) {
      out += kPieces[k];
      continue;
    }
    uint32_t c = cp(rng);
    if (c >= 0xD800 && c <= 0xDFFF) c = 0x41;
    AppendUtf8(c, &out);
  }
  return out;
}

TEST(WriterTest, RandomValuesReadBackIdenticallyByComposeRulesAndOurReader) {
  constexpr uint64_t kSeed = 0x5ec7e75ecULL;
  std::mt19937_64 rng(kSeed);
  for (int i = 0; i < 20000; ++i) {
    std::string value = RandomValue(rng);
    SCOPED_TRACE(absl::StrCat("seed ", kSeed, " iteration ", i));
    std::string line = WriteOne(value);
    std::string key, read;
    ASSERT_TRUE(ComposeRead(line, &key, &read)) << "compose rules cannot parse the line";
    ASSERT_EQ(key, "K");
    // Compare without printing the bytes (random values stand in for secrets).
    ASSERT_TRUE(read == value) << "compose rules read back different bytes";
    auto parsed = ParseDotenv(line, ".env");
    ASSERT_THAT(parsed, IsOk());
    ASSERT_EQ(parsed->count("K"), 1u);
    ASSERT_TRUE(parsed->at("K").Expose() == value) << "reader read back different bytes";
  }
}

TEST(WriterTest, WholeFileRoundTripsThroughTheReader) {
  RenderedEnv env;
  env.AddVerbatim("# c", "", SecretValue());
  env.AddVerbatim("PLAIN=\"a\\tb\"", "PLAIN", SecretValue(std::string("a\tb")));
  env.AddEntry("PEM", false, SecretValue(std::string("-----BEGIN-----\nAB+/=\n-----END-----\n")));
  env.AddEntry("PW", true, SecretValue(std::string("p'$x\\")));
  auto out = WriteDotenv(env);
  ASSERT_THAT(out, IsOk());
  auto parsed = ParseDotenv(out->Expose(), ".env");
  ASSERT_THAT(parsed, IsOk());
  auto want = env.Values();
  ASSERT_EQ(parsed->size(), want.size());
  for (const auto& [key, value] : want) {
    ASSERT_EQ(parsed->count(key), 1u) << key;
    EXPECT_TRUE(parsed->at(key) == *value) << key;
  }
}

}  // namespace
}  // namespace dotenv
}  // namespace secretsync

// Every generator's length and alphabet, uniqueness, and a chi-square check of
// byte frequencies.
#include "lib/gen/generator.h"

#include <array>
#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace gen {
namespace {

using secretsync::v1::Generator;
using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

Generator Make(Generator::Kind kind, uint32_t bytes, uint32_t length) {
  Generator g;
  g.set_kind(kind);
  g.set_bytes(bytes);
  g.set_length(length);
  return g;
}

// Fails after `ok_calls` successful fills, to check errors propagate.
class FailingRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t*, size_t) override { return absl::InternalError("getrandom failed"); }
};

struct FormatCase {
  Generator::Kind kind;
  uint32_t bytes, length;
  size_t expected_len;
  const char* alphabet;
};

class GeneratorFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(GeneratorFormatTest, LengthAndAlphabet) {
  OsRandomSource rng;
  const FormatCase& c = GetParam();
  for (int i = 0; i < 200; ++i) {
    auto v = Generate(Make(c.kind, c.bytes, c.length), rng);
    ASSERT_THAT(v, IsOk());
    ASSERT_EQ(v->size(), c.expected_len);
    for (char ch : v->Expose()) {
      ASSERT_NE(std::string(c.alphabet).find(ch), std::string::npos) << KindName(c.kind);
    }
  }
}

constexpr char kHex[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kDjango[] = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";

INSTANTIATE_TEST_SUITE_P(
    Formats, GeneratorFormatTest,
    ::testing::Values(FormatCase{Generator::HEX, 32, 0, 64, kHex},
                      FormatCase{Generator::HEX, 1, 0, 2, kHex},
                      FormatCase{Generator::BASE64, 32, 0, 44, kB64},
                      FormatCase{Generator::BASE64, 31, 0, 44, kB64},
                      FormatCase{Generator::BASE64URL, 32, 0, 43, kB64Url},
                      FormatCase{Generator::ALNUM, 0, 40, 40, kAlnum},
                      FormatCase{Generator::DJANGO, 0, 50, 50, kDjango}));

TEST(GeneratorTest, Base64DecodesToRequestedBytes) {
  OsRandomSource rng;
  auto v = Generate(Make(Generator::BASE64, 32, 0), rng);
  ASSERT_THAT(v, IsOk());
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(v->Expose(), &raw));
  EXPECT_EQ(raw.size(), 32u);
}

TEST(GeneratorTest, TenThousandValuesAreDistinct) {
  OsRandomSource rng;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto v = Generate(Make(Generator::HEX, 16, 0), rng);
    ASSERT_THAT(v, IsOk());
    seen.insert(std::string(v->Expose()));
  }
  EXPECT_EQ(seen.size(), 10000u);
}

// 1 MiB of hex output decoded to bytes: each of the 256 byte values should be
// equally frequent. With 255 degrees of freedom the chi-square statistic is
// above 360 with probability < 1e-5 for a uniform source.
TEST(GeneratorTest, ByteFrequenciesPassChiSquare) {
  OsRandomSource rng;
  std::array<uint64_t, 256> counts{};
  size_t total = 0;
  while (total < (1u << 20)) {
    auto v = Generate(Make(Generator::HEX, kMaxBytes, 0), rng);
    ASSERT_THAT(v, IsOk());
    std::string raw = absl::HexStringToBytes(v->Expose());
    for (unsigned char b : raw) ++counts[b];
    total += raw.size();
  }
  const double expected = static_cast<double>(total) / 256;
  double chi2 = 0;
  for (uint64_t c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi2, 360.0);
}

// Alphabet generators must not favour the first characters (modulo bias).
TEST(GeneratorTest, DjangoCharacterFrequenciesPassChiSquare) {
  OsRandomSource rng;
  std::array<uint64_t, 256> counts{};
  size_t total = 0;
  while (total < 500000) {
    auto v = Generate(Make(Generator::DJANGO, 0, kMaxLength), rng);
    ASSERT_THAT(v, IsOk());
    for (unsigned char ch : v->Expose()) ++counts[ch];
    total += v->size();
  }
  const double expected = static_cast<double>(total) / kDjangoAlphabet.size();
  double chi2 = 0;
  for (char ch : kDjangoAlphabet) {
    double c = counts[static_cast<unsigned char>(ch)];
    chi2 += (c - expected) * (c - expected) / expected;
  }
  EXPECT_LT(chi2, 100.0);  // 49 degrees of freedom; p < 1e-4
}

TEST(GeneratorTest, RejectsZeroAndHugeSizes) {
  OsRandomSource rng;
  EXPECT_THAT(Generate(Make(Generator::HEX, 0, 0), rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bytes must be between")));
  EXPECT_THAT(Generate(Make(Generator::BASE64, kMaxBytes + 1, 0), rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65536")));
  EXPECT_THAT(Generate(Make(Generator::ALNUM, 0, 0), rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("length must be")));
  EXPECT_THAT(Generate(Make(Generator::KIND_UNSPECIFIED, 32, 0), rng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind is not set")));
}

TEST(GeneratorTest, ParsesKindNames) {
  for (const char* name : {"hex", "base64", "base64url", "alnum", "django"}) {
    auto k = ParseKind(name);
    ASSERT_THAT(k, IsOk());
    EXPECT_EQ(KindName(*k), name);
  }
  EXPECT_THAT(ParseKind("rot13"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown format \"rot13\"")));
}

TEST(GeneratorTest, RandomSourceFailurePropagates) {
  FailingRandom rng;
  EXPECT_THAT(Generate(Make(Generator::HEX, 32, 0), rng),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("getrandom")));
  EXPECT_THAT(Generate(Make(Generator::ALNUM, 0, 8), rng),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("getrandom")));
}

}  // namespace
}  // namespace gen
}  // namespace secretsync

// SecretValue never prints its bytes and compares by content.
#include "lib/base/secret_value.h"

#include <sstream>
#include <utility>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

constexpr char kCanary[] = "canary-7f3a9c";

TEST(SecretValueTest, PrintToIsRedacted) {
  SecretValue v{std::string(kCanary)};
  EXPECT_EQ(::testing::PrintToString(v), "<redacted 13 bytes>");
  EXPECT_EQ(::testing::PrintToString(v).find(kCanary), std::string::npos);
}

TEST(SecretValueTest, ExposeReturnsBytes) {
  SecretValue v{std::string(kCanary)};
  EXPECT_EQ(v.Expose(), kCanary);
  EXPECT_EQ(v.size(), 13u);
}

TEST(SecretValueTest, MoveLeavesSourceEmpty) {
  SecretValue a{std::string(kCanary)};
  SecretValue b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): defined as wiped
  EXPECT_EQ(b.Expose(), kCanary);
}

TEST(SecretValueTest, EqualityComparesContent) {
  SecretValue a{std::string("abc")}, b{std::string("abc")}, c{std::string("abd")};
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a != c);
  EXPECT_TRUE(a != SecretValue{std::string("ab")});
  EXPECT_TRUE(a.Copy() == a);
}

TEST(WipeStringTest, ZeroesTheWholeBufferAndClears) {
  std::string s(100, 'x');
  s.resize(10);  // bytes past size() held the secret too
  const size_t capacity = s.capacity();
  const char* data = s.data();
  WipeString(s);
  EXPECT_TRUE(s.empty());
  ASSERT_EQ(s.data(), data);  // the same buffer, now zeroed
  for (size_t i = 0; i < capacity; ++i) ASSERT_EQ(data[i], '\0') << "byte " << i;
}

TEST(WipeStringTest, ZeroesTheSmallStringBuffer) {
  std::string s(kCanary);
  ASSERT_LE(s.capacity(), 15u);  // libstdc++ keeps it inside the object
  WipeString(s);
  EXPECT_TRUE(s.empty());
  for (size_t i = 0; i < sizeof(kCanary); ++i) ASSERT_EQ(s.data()[i], '\0') << "byte " << i;
}

TEST(WipeStringTest, WipeAndFreeReleasesTheBuffer) {
  std::string s(1000, 'x');
  WipeAndFreeString(s);
  EXPECT_TRUE(s.empty());
  EXPECT_LT(s.capacity(), 1000u);
}

}  // namespace
}  // namespace secretsync

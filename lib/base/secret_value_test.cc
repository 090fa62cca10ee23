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

}  // namespace
}  // namespace secretsync

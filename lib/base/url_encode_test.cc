// UrlEncode keeps unreserved characters and encodes everything else.
#include "lib/base/url_encode.h"

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(UrlEncodeTest, EncodesReservedAndNonAsciiBytes) {
  EXPECT_EQ(UrlEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(UrlEncode("q6+/="), "q6%2B%2F%3D");
  EXPECT_EQ(UrlEncode("a b@c:d/e?f#g"), "a%20b%40c%3Ad%2Fe%3Ff%23g");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(UrlEncode(std::string("\0", 1)), "%00");
  EXPECT_EQ(UrlEncode(""), "");
}

}  // namespace
}  // namespace secretsync

// Table-driven tests for the template filters.
#include "lib/template/filters.h"

#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace tmpl {
namespace {

TEST(FiltersTest, EachFilterTransformsBytes) {
  struct Case {
    const char* filter;
    std::string in;
    std::string out;
  };
  const Case kCases[] = {
      {"urlencode", "aZ09-._~", "aZ09-._~"},
      {"urlencode", "a+b/c=d", "a%2Bb%2Fc%3Dd"},
      {"urlencode", "p@ss:w rd%", "p%40ss%3Aw%20rd%25"},
      {"urlencode", "\xC3\xA9", "%C3%A9"},
      {"base64", "\xfb\xff", "+/8="},
      {"base64url", "\xfb\xff", "-_8"},
      {"base64", "", ""},
      {"json", "a\"b\\c\nd\te\x01", "a\\\"b\\\\c\\nd\\te\\u0001"},
      {"json", "\xC3\xA9/", "\xC3\xA9/"},
      {"trim", " \t x y \n", "x y"},
      {"upper", "abc-\xC3\xA9", "ABC-\xC3\xA9"},
      {"lower", "ABC", "abc"},
  };
  for (const Case& c : kCases) {
    ASSERT_TRUE(IsKnownFilter(c.filter)) << c.filter;
    EXPECT_EQ(ApplyFilter(c.filter, c.in), c.out) << c.filter << " case " << (&c - kCases);
  }
}

TEST(FiltersTest, UnknownNamesAreNotFilters) {
  EXPECT_FALSE(IsKnownFilter("urlescape"));
  EXPECT_FALSE(IsKnownFilter(""));
  EXPECT_FALSE(IsKnownFilter("URLENCODE"));
  EXPECT_EQ(FilterNames().size(), 7u);
}

}  // namespace
}  // namespace tmpl
}  // namespace secretsync

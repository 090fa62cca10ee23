// Route secret-path globs: normalization and picomatch-like matching.
#include "lib/hub/path_glob.h"

#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace hub {
namespace {

TEST(PathGlobTest, NormalizesSlashes) {
  EXPECT_EQ(NormalizeSecretPath(""), "/");
  EXPECT_EQ(NormalizeSecretPath("/"), "/");
  EXPECT_EQ(NormalizeSecretPath("/a/b/"), "/a/b");
  EXPECT_EQ(NormalizeSecretPath("a//b"), "/a/b");
}

TEST(PathGlobTest, MatchesTable) {
  struct Case {
    const char* glob;
    const char* path;
    bool match;
  } cases[] = {
      {"/", "/", true},
      {"/", "/apps", false},
      {"/**", "/", true},
      {"/**", "/apps/web/deep", true},
      {"/apps/**", "/apps", true},
      {"/apps/**", "/apps/web", true},
      {"/apps/**", "/application", false},
      {"/apps/*", "/apps", false},
      {"/apps/*", "/apps/web", true},
      {"/apps/*", "/apps/web/x", false},
      {"/apps/w?b", "/apps/web", true},
      {"/apps/w?b", "/apps/wb", false},
      {"/apps/*-prod", "/apps/web-prod", true},
      {"/apps/*-prod", "/apps/web-dev", false},
      {"/*", "/a/b", false},
      {"/**/db", "/db", true},
      {"/**/db", "/x/y/db", true},
      {"/**/db", "/x/y/dbx", false},
      {"/Apps", "/apps", false},
      {"/apps/[ab]", "/apps/a", false},  // no character classes
      {"/apps/[ab]", "/apps/[ab]", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MatchPathGlob(c.glob, NormalizeSecretPath(c.path)), c.match)
        << c.glob << " vs " << c.path;
  }
}

TEST(PathGlobTest, ChecksGlobs) {
  EXPECT_TRUE(CheckPathGlob("/apps/**").ok());
  EXPECT_FALSE(CheckPathGlob("apps").ok());
  EXPECT_FALSE(CheckPathGlob("").ok());
  EXPECT_FALSE(CheckPathGlob("/apps/**x").ok());
}

TEST(PathGlobTest, DeepHostilePathMatchesNothing) {
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "/a";
  EXPECT_FALSE(MatchPathGlob("/**/**/**/b", deep));
  EXPECT_FALSE(MatchPathGlob("/**", deep));
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

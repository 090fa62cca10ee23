// Tests for TokenCache: round trip, 0600 mode, keying, unsafe files ignored.
#include "lib/auth/token_cache.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace auth {
namespace {

using ::secretsync::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-tok-3b9e";

std::string TmpPath(const std::string& name) {
  std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  unlink(path.c_str());
  return path;
}

CachedToken Entry() {
  CachedToken t;
  t.token = SecretValue(std::string(kCanary));
  t.issued_at = absl::FromUnixSeconds(1800000000);
  t.ttl = absl::Seconds(3600);
  t.max_expires_at = absl::FromUnixSeconds(1800086400);
  return t;
}

TEST(TokenCacheTest, RoundTripsWithMode0600) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_rt.json");
  TokenCache cache(path, "https://a.test/api", "client-1", log);
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = cache.Load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->token.Expose(), kCanary);
  EXPECT_EQ(loaded->issued_at, absl::FromUnixSeconds(1800000000));
  EXPECT_EQ(loaded->ttl, absl::Seconds(3600));
  EXPECT_EQ(loaded->max_expires_at, absl::FromUnixSeconds(1800086400));
  EXPECT_THAT(log.Joined(), Not(HasSubstr(kCanary)));
}

TEST(TokenCacheTest, IgnoresEntryForAnotherSiteOrClient) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_key.json");
  ASSERT_THAT(TokenCache(path, "https://a.test/api", "client-1", log).Store(Entry()), IsOk());
  EXPECT_FALSE(TokenCache(path, "https://b.test/api", "client-1", log).Load().has_value());
  EXPECT_FALSE(TokenCache(path, "https://a.test/api", "client-2", log).Load().has_value());
  EXPECT_TRUE(TokenCache(path, "https://a.test/api", "client-1", log).Load().has_value());
}

TEST(TokenCacheTest, IgnoresWidePermissionsWithWarning) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_wide.json");
  TokenCache cache(path, "https://a.test/api", "client-1", log);
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  chmod(path.c_str(), 0644);
  EXPECT_FALSE(cache.Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("W auth.token_cache_ignored"));
  EXPECT_THAT(log.Joined(), HasSubstr(path));
  EXPECT_THAT(log.Joined(), Not(HasSubstr(kCanary)));
}

TEST(TokenCacheTest, IgnoresMalformedFileAndMissingFileQuietly) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_bad.json");
  TokenCache cache(path, "https://a.test/api", "client-1", log);
  EXPECT_FALSE(cache.Load().has_value());
  EXPECT_TRUE(log.lines().empty());
  std::ofstream(path) << "{\"accessToken\":\"" << kCanary;
  chmod(path.c_str(), 0600);
  EXPECT_FALSE(cache.Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("malformed"));
  EXPECT_THAT(log.Joined(), Not(HasSubstr(kCanary)));
}

TEST(TokenCacheTest, StoreReplacesAndClearRemoves) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_replace.json");
  TokenCache cache(path, "https://a.test/api", "client-1", log);
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  CachedToken second = Entry();
  second.token = SecretValue(std::string("second"));
  ASSERT_THAT(cache.Store(second), IsOk());
  EXPECT_EQ(cache.Load()->token.Expose(), "second");
  cache.Clear();
  EXPECT_FALSE(cache.Load().has_value());
}

TEST(TokenCacheTest, StoreFailsCleanlyInMissingFolder) {
  CapturingLogSink log;
  TokenCache cache("/nonexistent-dir/cache.json", "s", "c", log);
  EXPECT_FALSE(cache.Store(Entry()).ok());
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

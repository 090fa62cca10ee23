// Tests for TokenCache: round trip, 0600 mode, keying, unsafe files ignored.
#include "lib/auth/token_cache.h"

#include <sys/stat.h>
#include <unistd.h>

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
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-tok-3b9e";

// A private (0700) folder for the cache files: TEST_TMPDIR itself may be
// group-writable, which the cache refuses.
std::string Folder() {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/cache");
  mkdir(dir.c_str(), 0700);
  chmod(dir.c_str(), 0700);
  return dir;
}

std::string TmpPath(const std::string& name) {
  std::string path = absl::StrCat(Folder(), "/", name);
  unlink(path.c_str());
  return path;
}

const SecretValue& Secret() {
  static const SecretValue* secret = new SecretValue(std::string("CANARY-client-secret-c4"));
  return *secret;
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
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
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
  ASSERT_THAT(TokenCache(path, "https://a.test/api", "client-1", Secret(), log).Store(Entry()), IsOk());
  EXPECT_FALSE(TokenCache(path, "https://b.test/api", "client-1", Secret(), log).Load().has_value());
  EXPECT_FALSE(TokenCache(path, "https://a.test/api", "client-2", Secret(), log).Load().has_value());
  EXPECT_TRUE(TokenCache(path, "https://a.test/api", "client-1", Secret(), log).Load().has_value());
}

TEST(TokenCacheTest, IgnoresWidePermissionsWithWarning) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_wide.json");
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
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
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
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
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
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
  TokenCache cache("/nonexistent-dir/sub/cache.json", "s", "c", Secret(), log);
  EXPECT_FALSE(cache.Store(Entry()).ok());
}

TEST(TokenCacheTest, IgnoresEntryWrittenForAnotherClientSecret) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_secret.json");
  ASSERT_THAT(TokenCache(path, "https://a.test/api", "client-1", Secret(), log).Store(Entry()),
              IsOk());
  SecretValue rotated(std::string("CANARY-rotated-secret-9"));
  EXPECT_FALSE(TokenCache(path, "https://a.test/api", "client-1", rotated, log).Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("other credentials"));
  // The file names the credentials by hash only.
  std::stringstream file;
  file << std::ifstream(path).rdbuf();
  EXPECT_THAT(file.str(), HasSubstr("credentialsSha256"));
  EXPECT_THAT(file.str(), Not(HasSubstr("CANARY-client-secret")));
  EXPECT_THAT(log.Joined(), Not(HasSubstr("CANARY")));
}

TEST(TokenCacheTest, IgnoresEntryWithoutCredentialsHash) {
  CapturingLogSink log;
  std::string path = TmpPath("cache_old_format.json");
  std::ofstream(path) << R"({"siteUrl":"https://a.test/api","clientId":"client-1","accessToken":")"
                      << kCanary << R"(","issuedAt":"1800000000","ttlSeconds":"3600"})";
  chmod(path.c_str(), 0600);
  EXPECT_FALSE(TokenCache(path, "https://a.test/api", "client-1", Secret(), log).Load().has_value());
}

TEST(TokenCacheTest, CreatesMissingFolderPrivate) {
  CapturingLogSink log;
  std::string dir = absl::StrCat(Folder(), "/state-new");
  rmdir(dir.c_str());
  std::string path = dir + "/token.json";
  unlink(path.c_str());
  rmdir(dir.c_str());
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
  EXPECT_FALSE(cache.Load().has_value());  // a missing folder is a first run
  EXPECT_TRUE(log.lines().empty());
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(cache.Load().has_value());
}

TEST(TokenCacheTest, RefusesGroupOrOtherWritableFolder) {
  CapturingLogSink log;
  std::string dir = absl::StrCat(Folder(), "/shared");
  mkdir(dir.c_str(), 0700);
  std::string path = dir + "/token.json";
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
  chmod(dir.c_str(), 0700);
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  for (mode_t mode : {0770, 0707, 01777}) {
    ASSERT_EQ(chmod(dir.c_str(), mode), 0);
    EXPECT_FALSE(cache.Load().has_value()) << mode;
    EXPECT_THAT(cache.Store(Entry()), StatusIs(absl::StatusCode::kFailedPrecondition,
                                               HasSubstr("chmod 700")))
        << mode;
  }
  EXPECT_THAT(log.Joined(), HasSubstr("writable by group or others"));
  chmod(dir.c_str(), 0700);
}

// Handing files to another user needs root (or CAP_CHOWN), which the test
// machines have.
TEST(TokenCacheTest, RefusesFolderOrFileOfAnotherUser) {
  CapturingLogSink log;
  std::string dir = absl::StrCat(Folder(), "/other-user");
  mkdir(dir.c_str(), 0700);
  std::string path = dir + "/token.json";
  TokenCache cache(path, "https://a.test/api", "client-1", Secret(), log);
  ASSERT_THAT(cache.Store(Entry()), IsOk());
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0) << "the test needs root or CAP_CHOWN";
  EXPECT_FALSE(cache.Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("not by the running user"));
  ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
  EXPECT_THAT(cache.Store(Entry()), StatusIs(absl::StatusCode::kFailedPrecondition,
                                             HasSubstr("not by the running user")));
}

TEST(TokenCacheTest, RefusesSymlinkAndFifoWithoutBlocking) {
  CapturingLogSink log;
  std::string target = TmpPath("cache_target.json");
  TokenCache real(target, "https://a.test/api", "client-1", Secret(), log);
  ASSERT_THAT(real.Store(Entry()), IsOk());
  std::string link = TmpPath("cache_link.json");
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_FALSE(TokenCache(link, "https://a.test/api", "client-1", Secret(), log).Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("symbolic link"));
  std::string fifo = TmpPath("cache_fifo.json");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(TokenCache(fifo, "https://a.test/api", "client-1", Secret(), log).Load().has_value());
  EXPECT_THAT(log.Joined(), HasSubstr("not a regular file"));
  EXPECT_THAT(log.Joined(), Not(HasSubstr(kCanary)));
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

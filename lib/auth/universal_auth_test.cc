// Tests for UniversalAuthProvider: login, renew at 2/3 TTL with the new token,
// re-login near max TTL, TTL 0, cache reuse, no token in logs or statuses.
#include "lib/auth/universal_auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_http_transport.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace auth {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kLogin[] = "POST /api/v1/auth/universal-auth/login";
constexpr char kRenew[] = "POST /api/v1/auth/token/renew";
constexpr char kSecretCanary[] = "CANARY-client-secret-a1";

HttpResponse TokenReply(absl::string_view token, int ttl, int max_ttl) {
  return JsonReply(200, absl::StrCat(R"({"accessToken":")", token, R"(","expiresIn":)", ttl,
                                     R"(,"accessTokenMaxTTL":)", max_ttl, R"(,"tokenType":"Bearer"})"));
}

class UniversalAuthTest : public ::testing::Test {
 protected:
  UniversalAuthOptions Options(std::unique_ptr<TokenCache> cache = nullptr) {
    UniversalAuthOptions o;
    o.api_url = "https://infisical.test/api";
    o.client_id = "client-1";
    o.client_secret = SecretValue(std::string(kSecretCanary));
    o.cache = std::move(cache);
    return o;
  }
  FakeHttpTransport fake_;
  FakeClock clock_;
  CapturingLogSink log_;
};

TEST_F(UniversalAuthTest, LogsInOnceAndReusesToken) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  EXPECT_EQ(p.Token()->Expose(), "tok-A");
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(p.Token()->Expose(), "tok-A");
  EXPECT_EQ(fake_.CountOf(kLogin), 1u);
  HttpRequest login = fake_.requests()[0];
  EXPECT_EQ(login.body, absl::StrCat(R"({"clientId":"client-1","clientSecret":")", kSecretCanary, "\"}"));
  for (const auto& h : login.headers) EXPECT_NE(h.first, "Authorization");
  EXPECT_THAT(log_.Joined(), HasSubstr("I auth.login"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("tok-A")));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr(kSecretCanary)));
}

TEST_F(UniversalAuthTest, RenewsInLastThirdAndKeepsTheNewToken) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  fake_.On("POST", "/api/v1/auth/token/renew", TokenReply("tok-B", 3600, 86400));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  ASSERT_THAT(p.Token(), IsOk());
  clock_.Advance(absl::Minutes(41));  // 19 min left < 20 min (1/3 of 60)
  EXPECT_EQ(p.Token()->Expose(), "tok-B");
  EXPECT_EQ(fake_.CountOf(kRenew), 1u);
  EXPECT_EQ(fake_.requests()[1].body, R"({"accessToken":"tok-A"})");
  EXPECT_EQ(fake_.CountOf(kLogin), 1u);
  EXPECT_EQ(p.Token()->Expose(), "tok-B");
  EXPECT_EQ(fake_.request_count(), 2u);
}

TEST_F(UniversalAuthTest, LogsInAgainInsteadOfRenewingPastMaxTtl) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 4000));
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-C", 3600, 4000));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  ASSERT_THAT(p.Token(), IsOk());
  clock_.Advance(absl::Minutes(45));  // renewing for 60 min would pass max TTL (66 min)
  EXPECT_EQ(p.Token()->Expose(), "tok-C");
  EXPECT_EQ(fake_.CountOf(kRenew), 0u);
  EXPECT_EQ(fake_.CountOf(kLogin), 2u);
}

TEST_F(UniversalAuthTest, FailedRenewFallsBackToLogin) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-D", 3600, 86400));
  fake_.On("POST", "/api/v1/auth/token/renew",
           JsonReply(401, R"({"message":"Failed to renew access token due to Max TTL expiration"})"));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  ASSERT_THAT(p.Token(), IsOk());
  clock_.Advance(absl::Minutes(50));
  EXPECT_EQ(p.Token()->Expose(), "tok-D");
  EXPECT_THAT(log_.Joined(), HasSubstr("W auth.renew_failed code=UNAUTHENTICATED"));
}

TEST_F(UniversalAuthTest, TtlZeroNeverExpires) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 0, 0));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  ASSERT_THAT(p.Token(), IsOk());
  clock_.Advance(absl::Hours(24 * 365));
  EXPECT_EQ(p.Token()->Expose(), "tok-A");
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(UniversalAuthTest, InvalidateLogsInAgain) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-E", 3600, 86400));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  ASSERT_THAT(p.Token(), IsOk());
  EXPECT_TRUE(p.Invalidate());
  EXPECT_EQ(p.Token()->Expose(), "tok-E");
}

TEST_F(UniversalAuthTest, LoginFailureIsMappedWithoutSecrets) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login",
           JsonReply(401, R"({"statusCode":401,"message":"Invalid credentials","error":"UnauthorizedError","reqId":"req-9"})"));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  auto t = p.Token();
  EXPECT_THAT(t, StatusIs(absl::StatusCode::kUnauthenticated,
                          "POST /api/v1/auth/universal-auth/login: HTTP 401: Invalid credentials (reqId req-9)"));
}

TEST_F(UniversalAuthTest, MalformedLoginReplyIsInvalidArgument) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login", JsonReply(200, R"({"accessToken":"CANARY-half)"));
  fake_.On("POST", "/api/v1/auth/universal-auth/login", JsonReply(200, R"({"expiresIn":5})"));
  UniversalAuthProvider p(fake_, clock_, log_, Options());
  EXPECT_THAT(p.Token(), StatusIs(absl::StatusCode::kInvalidArgument,
                                  "malformed reply from POST /api/v1/auth/universal-auth/login"));
  EXPECT_THAT(p.Token(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("malformed")));
}

// A private folder for the cache (TEST_TMPDIR itself may be group-writable).
std::string CacheFolder(const std::string& name) {
  std::string dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  mkdir(dir.c_str(), 0700);
  chmod(dir.c_str(), 0700);
  unlink((dir + "/cache.json").c_str());
  return dir;
}

TEST_F(UniversalAuthTest, CachedTokenSavesTheLoginRoundTrip) {
  std::string path = CacheFolder("ua_cache") + "/cache.json";
  const SecretValue secret(std::string{kSecretCanary});
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  {
    UniversalAuthProvider first(fake_, clock_, log_,
                                Options(std::make_unique<TokenCache>(path, "https://infisical.test/api", "client-1", secret, log_)));
    EXPECT_EQ(first.Token()->Expose(), "tok-A");
  }
  clock_.Advance(absl::Minutes(5));  // the next cron run
  UniversalAuthProvider second(fake_, clock_, log_,
                               Options(std::make_unique<TokenCache>(path, "https://infisical.test/api", "client-1", secret, log_)));
  EXPECT_EQ(second.Token()->Expose(), "tok-A");
  EXPECT_EQ(fake_.CountOf(kLogin), 1u);
  EXPECT_THAT(log_.Joined(), HasSubstr("auth.token_cache_hit"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("tok-A")));
}

// A valid cached token used to hide a changed (or wrong) client secret until
// it expired: the cache is keyed to the credentials, so the next run logs in
// with the new secret, and a wrong one fails at once.
TEST_F(UniversalAuthTest, ChangedClientSecretIsNoticedAtOnce) {
  std::string path = CacheFolder("ua_cache_rotated") + "/cache.json";
  fake_.On("POST", "/api/v1/auth/universal-auth/login", TokenReply("tok-A", 3600, 86400));
  {
    UniversalAuthProvider first(
        fake_, clock_, log_,
        Options(std::make_unique<TokenCache>(path, "https://infisical.test/api", "client-1",
                                             SecretValue(std::string{kSecretCanary}), log_)));
    EXPECT_EQ(first.Token()->Expose(), "tok-A");
  }
  FakeHttpTransport server;  // the next run, whose secret the server refuses
  server.On("POST", "/api/v1/auth/universal-auth/login",
            JsonReply(401, R"({"statusCode":401,"message":"Invalid credentials","error":"UnauthorizedError"})"));
  UniversalAuthOptions wrong = Options(std::make_unique<TokenCache>(
      path, "https://infisical.test/api", "client-1", SecretValue(std::string{"CANARY-wrong-7"}), log_));
  wrong.client_secret = SecretValue(std::string{"CANARY-wrong-7"});
  UniversalAuthProvider second(server, clock_, log_, std::move(wrong));
  auto token = second.Token();
  EXPECT_THAT(token, StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr("CANARY"))));
  EXPECT_EQ(server.CountOf(kLogin), 1u);
  EXPECT_THAT(log_.Joined(), HasSubstr("other credentials"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("CANARY")));
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

// Tests for NewInfisicalStore and the config helpers: config errors name the
// field; the built store logs in, retries and lists over the given transport.
#include "lib/infisical/infisical_store.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_http_transport.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace infisical {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-ua-secret-0f";

class ZeroRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t* buf, size_t len) override {
    std::memset(buf, 0, len);
    return absl::OkStatus();
  }
};

v1::DeploymentConfig Config(absl::string_view text) {
  v1::DeploymentConfig c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(text), &c));
  return c;
}

constexpr char kGood[] = R"pb(
  infisical { site_url: "https://infisical.test/" max_retries: 2 }
  auth { universal_auth { client_id { env: "UA_ID" } client_secret { env: "UA_SECRET" } } }
  project_id: "p1"
  environment: "prod"
)pb";

class InfisicalStoreTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<SecretStore>> Make(const v1::DeploymentConfig& c) {
    return NewInfisicalStore(c, fake_, clock_, random_, env_, log_);
  }
  FakeHttpTransport fake_;
  FakeClock clock_;
  ZeroRandom random_;
  MapEnvironment env_{{{"UA_ID", "client-1"}, {"UA_SECRET", kCanary}, {"TOKEN", "tok"}}};
  CapturingLogSink log_;
};

TEST(ApiUrlFromSiteUrlTest, AppendsApiOnce) {
  EXPECT_THAT(ApiUrlFromSiteUrl("https://app.infisical.com"), IsOkAndHolds("https://app.infisical.com/api"));
  EXPECT_THAT(ApiUrlFromSiteUrl("https://h.test/api/"), IsOkAndHolds("https://h.test/api"));
  EXPECT_THAT(ApiUrlFromSiteUrl("http://127.0.0.1:8080"), IsOkAndHolds("http://127.0.0.1:8080/api"));
  EXPECT_THAT(ApiUrlFromSiteUrl("http://localhost:1/x/"), IsOkAndHolds("http://localhost:1/x/api"));
}

TEST(ApiUrlFromSiteUrlTest, RejectsPlainHttpOffLoopbackAndOtherSchemes) {
  EXPECT_THAT(ApiUrlFromSiteUrl("http://infisical.example.com"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("infisical.site_url")));
  EXPECT_THAT(ApiUrlFromSiteUrl("ftp://x"), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("https://")));
  EXPECT_THAT(ApiUrlFromSiteUrl(""), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not set")));
  EXPECT_THAT(ApiUrlFromSiteUrl("https://u:p@h.test"), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST(ApiUrlFromSiteUrlTest, PlainHttpOnlyToLoopbackLiteralsOrLocalhost) {
  const char* accepted[] = {
      "http://127.0.0.1",        "http://127.0.0.1:8080/",  "http://127.255.255.254:1",
      "http://127.1.2.3/infisical", "http://localhost",     "http://localhost:65535",
      "http://[::1]",            "http://[::1]:8080",        "http://[0:0:0:0:0:0:0:1]:8080",
  };
  for (const char* url : accepted) EXPECT_THAT(ApiUrlFromSiteUrl(url), IsOk()) << url;

  // Hostile or ambiguous forms: each is a config error (78) naming the field.
  // [::ffff:127.0.0.1] is refused on purpose: loopback only through the
  // dual-stack mapping, and no setup needs it.
  const char* refused[] = {
      "http://127.attacker.example",
      "http://127.0.0.1.evil.com",
      "http://127.0.0.1.evil.com:8080",
      "http://127.1",
      "http://127.0.1",
      "http://0x7f.0.0.1",
      "http://0x7f000001",
      "http://2130706433",
      "http://0177.0.0.1",
      "http://127.000.000.001",
      "http://128.0.0.1",
      "http://10.0.0.1",
      "http://localhost.evil",
      "http://localhost.",
      "http://evil.localhost",
      "http://LOCALHOST.evil",
      "http://127.0.0.1@evil.com",
      "http://127.0.0.1:80@evil.com",
      "http://user:CANARY-pw@127.0.0.1",
      "http://evil.com#@127.0.0.1",
      "http://evil.com?@127.0.0.1",
      "http://evil.com\\@127.0.0.1",
      "http://127.0.0.1%2eevil.com",
      "http://127.0.0.1:8080:9090",
      "http://127.0.0.1:99999",
      "http://127.0.0.1:",
      "http://127.0.0.1:http",
      "http://[::ffff:127.0.0.1]",
      "http://[::2]",
      "http://[::1",
      "http://[::1]x",
      "http://[evil.com]",
      "http://",
      "http:///127.0.0.1",
  };
  for (const char* url : refused) {
    absl::StatusOr<std::string> api = ApiUrlFromSiteUrl(url);
    EXPECT_THAT(api, StatusIs(absl::StatusCode::kFailedPrecondition,
                              AllOf(HasSubstr("config infisical.site_url"), Not(HasSubstr("CANARY")))))
        << url;
    EXPECT_EQ(ExitCodeFromStatus(api.status()), kExitConfig) << url;
  }
  EXPECT_THAT(ApiUrlFromSiteUrl("http://127.attacker.example"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("only allowed to an IP address in 127.0.0.0/8, [::1] or localhost"),
                             HasSubstr("use https://"))));
}

TEST(ApiUrlFromSiteUrlTest, HttpsTakesNamesAndAddressesButNoCredentials) {
  EXPECT_THAT(ApiUrlFromSiteUrl("https://127.attacker.example"),
              IsOkAndHolds("https://127.attacker.example/api"));
  EXPECT_THAT(ApiUrlFromSiteUrl("https://[2001:db8::1]:8443/"),
              IsOkAndHolds("https://[2001:db8::1]:8443/api"));
  EXPECT_THAT(ApiUrlFromSiteUrl("https://user:CANARY-pw@h.test"),
              StatusIs(absl::StatusCode::kFailedPrecondition, Not(HasSubstr("CANARY"))));
  EXPECT_THAT(ApiUrlFromSiteUrl("ftp://user:CANARY-pw@h.test"),
              StatusIs(absl::StatusCode::kFailedPrecondition, Not(HasSubstr("CANARY"))));
}

TEST(CurlTransportOptionsFromConfigTest, DefaultsAndOverrides) {
  auto defaults = CurlTransportOptionsFromConfig(v1::DeploymentConfig());
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->max_response_bytes, 64ull << 20);
  EXPECT_EQ(defaults->connect_timeout, absl::Seconds(5));
  auto set = CurlTransportOptionsFromConfig(Config(R"pb(infisical {
    ca_bundle: "/etc/ca.pem" connect_timeout_ms: 100 request_timeout_ms: 2000 max_response_bytes: 10 })pb"));
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->ca_bundle, "/etc/ca.pem");
  EXPECT_EQ(set->connect_timeout, absl::Milliseconds(100));
  EXPECT_EQ(set->request_timeout, absl::Seconds(2));
  EXPECT_EQ(set->max_response_bytes, 10u);
}

TEST_F(InfisicalStoreTest, ConfigErrorsNameTheField) {
  v1::DeploymentConfig c = Config(kGood);
  c.mutable_infisical()->clear_site_url();
  EXPECT_THAT(Make(c), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("infisical.site_url")));
  c = Config(kGood);
  c.clear_project_id();
  EXPECT_THAT(Make(c), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("project_id")));
  c = Config(kGood);
  c.clear_environment();
  EXPECT_THAT(Make(c), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("environment")));
  c = Config(kGood);
  c.mutable_auth()->clear_method();
  EXPECT_THAT(Make(c), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("auth")));
  c = Config(kGood);
  c.mutable_auth()->mutable_universal_auth()->mutable_client_secret()->set_env("MISSING");
  auto missing = Make(c);
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MISSING")));
  EXPECT_EQ(ExitCodeFromStatus(missing.status()), kExitConfig);  // a config problem, not 66
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(InfisicalStoreTest, LogsInRetriesAndLists) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login",
           JsonReply(200, R"({"accessToken":"tok-A","expiresIn":3600,"accessTokenMaxTTL":7200})"));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(503, "{}"));
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(200, absl::StrCat(R"({"secrets":[{"secretKey":"K","secretValue":")", kCanary, R"("}]})")));
  auto store = Make(Config(kGood));
  ASSERT_THAT(store, IsOk());
  v1::DeploymentConfig c = Config(kGood);
  auto list = (*store)->List(ScopeFromConfig(c));
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].secret_path, "/");
  EXPECT_EQ(fake_.CountOf("GET /api/v3/secrets/raw"), 2u);
  EXPECT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_THAT(log_.Joined(), HasSubstr("http.retry"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr(kCanary)));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("tok-A")));
}

TEST_F(InfisicalStoreTest, ServiceTokenIsSentWithoutLegacyKey) {
  env_.Set("ST", "st.id1.sec2.key3");
  v1::DeploymentConfig c = Config(kGood);
  c.mutable_auth()->mutable_service_token()->set_env("ST");
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[]})"));
  auto store = Make(c);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->List(ScopeFromConfig(c)), IsOk());
  bool found = false;
  const HttpRequest sent = fake_.requests()[0];
  for (const auto& h : sent.headers) {
    if (h.first == "Authorization") {
      EXPECT_EQ(h.second, "Bearer st.id1.sec2");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// What a real Infisical answers for a wrong project slug: 500 with its own
// message. Through the whole configured stack: kept, NotFound (66), sent once.
TEST_F(InfisicalStoreTest, WrongProjectSlugIsNotFoundAndNotRetried) {
  v1::DeploymentConfig c = Config(kGood);
  c.clear_project_id();
  c.set_project_slug("no-such-project");
  fake_.On("POST", "/api/v1/auth/universal-auth/login",
           JsonReply(200, R"({"accessToken":"tok-A","expiresIn":3600,"accessTokenMaxTTL":7200})"));
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(500, R"({"reqId":"req-7","statusCode":500,"message":"Failed to find project by slug","error":"InternalServerError"})"));
  auto store = Make(c);
  ASSERT_THAT(store, IsOk());
  auto list = (*store)->List(ScopeFromConfig(c));
  EXPECT_THAT(list, StatusIs(absl::StatusCode::kNotFound,
                             "GET /api/v3/secrets/raw: HTTP 500: Failed to find project by slug "
                             "(reqId req-7)"));
  EXPECT_EQ(ExitCodeFromStatus(list.status()), kExitNoInput);
  EXPECT_EQ(fake_.CountOf("GET /api/v3/secrets/raw"), 1u);
  EXPECT_TRUE(clock_.sleeps().empty());
}

// Rate limiting sent as 500 + retry-after: retried within max_retries (2
// here), then "rate limited by Infisical; retry after N s" and exit 75.
TEST_F(InfisicalStoreTest, RateLimitingAsFiveHundredIsRetriedThenReported) {
  fake_.On("POST", "/api/v1/auth/universal-auth/login",
           JsonReply(200, R"({"accessToken":"tok-A","expiresIn":3600,"accessTokenMaxTTL":7200})"));
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(500, R"({"statusCode":500,"message":"Something went wrong","error":"InternalServerError"})",
                     {{"retry-after", "20"}, {"x-ratelimit-remaining", "0"}}));
  auto store = Make(Config(kGood));
  ASSERT_THAT(store, IsOk());
  auto list = (*store)->List(ScopeFromConfig(Config(kGood)));
  EXPECT_THAT(list, StatusIs(absl::StatusCode::kResourceExhausted,
                             "GET /api/v3/secrets/raw: rate limited by Infisical; retry after 20 s "
                             "(HTTP 500)"));
  EXPECT_EQ(ExitCodeFromStatus(list.status()), kExitTempFail);
  EXPECT_EQ(fake_.CountOf("GET /api/v3/secrets/raw"), 3u);
  EXPECT_EQ(clock_.sleeps().size(), 2u);
  EXPECT_THAT(log_.Joined(), Not(HasSubstr(kCanary)));
}

}  // namespace
}  // namespace infisical
}  // namespace secretsync

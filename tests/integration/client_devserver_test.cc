// Integration: the real client stack (curl, retries, Universal Auth,
// InfisicalClient) against //tools:devserver over real sockets, HTTP and
// HTTPS, including every fault mode the dev server can inject.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/auth/universal_auth.h"
#include "lib/http/curl_http_transport.h"
#include "lib/infisical/infisical_client.h"
#include "lib/http/retrying_http_transport.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kProject[] = "8d1c2a3b-0000-4000-8000-00000000c11e";
constexpr char kValueCanary[] = "CANARY-devserver-value-6a2f";
constexpr char kSecretCanary[] = "CANARY-devserver-client-secret-91";

std::string TmpDir() { return std::getenv("TEST_TMPDIR"); }

std::string WriteSeed() {
  std::string path = TmpDir() + "/client-seed.textproto";
  std::ofstream(path) << absl::StrCat(
      "projects { id: \"", kProject, "\" slug: \"client-app\" environments { slug: \"prod\" }\n",
      "  secrets { environment: \"prod\" path: \"/\" key: \"DB_PASS\" value: \"", kValueCanary, "\" }\n",
      "  secrets { environment: \"prod\" path: \"/\" key: \"OWN\" value: \"own-wins\" }\n",
      "  secrets { environment: \"prod\" path: \"/shared\" key: \"OWN\" value: \"imported\" }\n",
      "  secrets { environment: \"prod\" path: \"/shared\" key: \"SHARED_ONLY\" value: \"s\" }\n",
      "  imports { environment: \"prod\" path: \"/\" from_environment: \"prod\" from_path: \"/shared\" }\n",
      "}\n",
      "identities { client_id: \"client-it\" client_secret: \"", kSecretCanary, "\"\n",
      "  access_token_ttl_seconds: 3600 access_token_max_ttl_seconds: 86400 project_ids: \"", kProject,
      "\" }\n");
  return path;
}

// Runs the dev server as a child process; reads its "listening on" line.
class DevServer {
 public:
  explicit DevServer(std::vector<std::string> extra_args) {
    std::string bin = absl::StrCat(std::getenv("TEST_SRCDIR"), "/secretsync/tools/devserver");
    std::vector<std::string> args = {bin, "--listen", "127.0.0.1:0", "--seed", WriteSeed(),
                                     "--enable-faults"};
    for (auto& a : extra_args) args.push_back(a);
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256] = {0};
    if (fgets(line, sizeof(line), f) != nullptr) {
      std::string l(line);
      if (absl::StartsWith(l, "listening on ")) {
        base_url_ = l.substr(13);
        while (!base_url_.empty() && (base_url_.back() == '\n' || base_url_.back() == '\r')) {
          base_url_.pop_back();
        }
      }
    }
    out_ = f;
  }
  ~DevServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }
  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string base_url_;
};

// The client stack the factory builds, with a FakeClock for retry waits.
struct Stack {
  Stack(const std::string& base_url, http::CurlTransportOptions curl_options)
      : curl(curl_options),
        retrying(curl, clock, random, log),
        auth(retrying, clock, log, Options(base_url)),
        client(retrying, auth, infisical::ClientOptions{base_url + "/api", &log}) {
    scope.project_id = kProject;
    scope.environment = "prod";
    scope.include_imports = true;
  }
  static auth::UniversalAuthOptions Options(const std::string& base_url) {
    auth::UniversalAuthOptions o;
    o.api_url = base_url + "/api";
    o.client_id = "client-it";
    o.client_secret = SecretValue(std::string(kSecretCanary));
    return o;
  }
  // POST /__devserver/faults with a JSON body.
  void Fault(const std::string& json) {
    HttpRequest r;
    r.method = "POST";
    r.url = fault_url;
    r.body = json;
    auto reply = curl.Send(r);
    ASSERT_THAT(reply, IsOk());
    ASSERT_EQ(reply->status / 100, 2) << reply->body;
  }
  http::CurlHttpTransport curl;
  FakeClock clock;
  OsRandomSource random;
  CapturingLogSink log;
  http::RetryingHttpTransport retrying;
  auth::UniversalAuthProvider auth;
  infisical::InfisicalClient client;
  infisical::SecretScope scope;
  std::string fault_url;
};

class ClientDevserverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new DevServer({}); }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    ASSERT_FALSE(server_->base_url().empty()) << "devserver did not start";
    http::CurlTransportOptions o;
    o.request_timeout = absl::Milliseconds(1500);
    o.max_response_bytes = 1 << 20;
    stack_ = std::make_unique<Stack>(server_->base_url(), o);
    stack_->fault_url = server_->base_url() + "/__devserver/faults";
  }
  void TearDown() override {
    HttpRequest clear;
    clear.method = "DELETE";
    clear.url = stack_->fault_url;
    (void)stack_->curl.Send(clear);
    EXPECT_THAT(stack_->log.Joined(), Not(HasSubstr(kValueCanary)));
    EXPECT_THAT(stack_->log.Joined(), Not(HasSubstr(kSecretCanary)));
  }
  static DevServer* server_;
  std::unique_ptr<Stack> stack_;
};
DevServer* ClientDevserverTest::server_ = nullptr;

TEST_F(ClientDevserverTest, ListsWithImportsMerged) {
  auto list = stack_->client.List(stack_->scope);
  ASSERT_THAT(list, IsOk());
  std::map<std::string, std::string> got;
  for (const auto& r : *list) got[r.name] = std::string(r.value.Expose());
  EXPECT_EQ(got["DB_PASS"], kValueCanary);
  EXPECT_EQ(got["OWN"], "own-wins");
  EXPECT_EQ(got["SHARED_ONLY"], "s");
}

TEST_F(ClientDevserverTest, CreateGetUpdateDeleteRoundTrip) {
  infisical::InfisicalClient& c = stack_->client;
  auto& s = stack_->scope;
  ASSERT_THAT(c.Create(s, "IT_NEW", SecretValue(std::string("v1")), "made by test"), IsOk());
  EXPECT_THAT(c.Create(s, "IT_NEW", SecretValue(std::string("v1")), ""),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("IT_NEW")));
  auto got = c.Get(s, "IT_NEW");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->value.Expose(), "v1");
  EXPECT_EQ(got->version, 1);
  ASSERT_THAT(c.Update(s, "IT_NEW", SecretValue(std::string("v2"))), IsOk());
  got = c.Get(s, "IT_NEW");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->value.Expose(), "v2");
  EXPECT_EQ(got->version, 2);
  ASSERT_THAT(c.Delete(s, "IT_NEW"), IsOk());
  EXPECT_THAT(c.Get(s, "IT_NEW"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("HTTP 404")));
  EXPECT_THAT(c.Update(s, "IT_NEW", SecretValue(std::string(kValueCanary))),
              StatusIs(absl::StatusCode::kNotFound, Not(HasSubstr(kValueCanary))));
}

TEST_F(ClientDevserverTest, RenewsWithTheNewTokenThenStillWorks) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->clock.Advance(absl::Minutes(45));  // client-side only: renew window
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  EXPECT_THAT(stack_->log.Joined(), HasSubstr("I auth.renewed"));
}

// Real Infisical answers a read in an unknown environment with 200 and no
// secrets (issue 8 s), and so does the dev server now.
TEST_F(ClientDevserverTest, UnknownEnvironmentListsNoSecrets) {
  stack_->scope.environment = "nope";
  auto list = stack_->client.List(stack_->scope);
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->empty());
}

TEST_F(ClientDevserverTest, RetriesStatusFaultsAndHonoursRetryAfter) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());  // log in first
  stack_->Fault(R"({"mode":"status","count":2,"status":503,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  EXPECT_EQ(stack_->clock.sleeps().size(), 2u);
  stack_->Fault(R"({"mode":"status","count":1,"status":429,"retryAfter":2,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  ASSERT_EQ(stack_->clock.sleeps().size(), 3u);
  EXPECT_EQ(stack_->clock.sleeps()[2], absl::Seconds(2));
}

TEST_F(ClientDevserverTest, GivesUpAfterBoundedAttempts) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"status","count":10,"status":503,"pathPrefix":"/api/v3/secrets"})");
  EXPECT_THAT(stack_->client.List(stack_->scope),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("HTTP 503")));
  EXPECT_EQ(stack_->clock.sleeps().size(), 4u);  // max_retries 4: 5 attempts
}

// Real Infisical (self-hosted, October 2024) rate-limits with HTTP 500 and
// retry-after: retried after the stated wait, and reported as rate limiting
// (75) when the wait is too long.
TEST_F(ClientDevserverTest, RateLimitingSentAsFiveHundredIsRetriedThenReported) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"status","count":1,"status":500,"retryAfter":3,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  ASSERT_EQ(stack_->clock.sleeps().size(), 1u);
  EXPECT_EQ(stack_->clock.sleeps()[0], absl::Seconds(3));
  stack_->Fault(R"({"mode":"status","count":10,"status":500,"retryAfter":120,"pathPrefix":"/api/v3/secrets"})");
  auto list = stack_->client.List(stack_->scope);
  EXPECT_THAT(list, StatusIs(absl::StatusCode::kResourceExhausted,
                             HasSubstr("rate limited by Infisical; retry after 120 s")));
  EXPECT_EQ(stack_->clock.sleeps().size(), 1u);  // 120 s is past max_retry_after: no wait
  EXPECT_THAT(std::string(list.status().message()), Not(HasSubstr(kValueCanary)));
}

TEST_F(ClientDevserverTest, PlainFiveHundredIsRetried) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"status","count":1,"status":500,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  EXPECT_EQ(stack_->clock.sleeps().size(), 1u);
}

TEST_F(ClientDevserverTest, DelayIsDeadlineExceededThenRetried) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"delay","count":1,"delayMs":3000,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  EXPECT_EQ(stack_->clock.sleeps().size(), 1u);
  EXPECT_THAT(stack_->log.Joined(), HasSubstr("status=DEADLINE_EXCEEDED"));
}

TEST_F(ClientDevserverTest, CloseMidBodyIsRetried) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"close_mid_body","count":1,"pathPrefix":"/api/v3/secrets"})");
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  EXPECT_EQ(stack_->clock.sleeps().size(), 1u);
}

TEST_F(ClientDevserverTest, MalformedAndTruncatedJsonAreInvalidArgument) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  for (const char* mode : {"malformed_json", "truncated_json"}) {
    stack_->Fault(absl::StrCat(R"({"mode":")", mode, R"(","count":1,"pathPrefix":"/api/v3/secrets"})"));
    auto list = stack_->client.List(stack_->scope);
    EXPECT_THAT(list, StatusIs(absl::StatusCode::kInvalidArgument,
                               "malformed reply from GET /api/v3/secrets/raw"))
        << mode;
  }
}

TEST_F(ClientDevserverTest, OversizedReplyIsOutOfRange) {
  ASSERT_THAT(stack_->client.List(stack_->scope), IsOk());
  stack_->Fault(R"({"mode":"oversized","count":1,"oversizedBytes":3000000,"pathPrefix":"/api/v3/secrets"})");
  EXPECT_THAT(stack_->client.List(stack_->scope),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("max_response_bytes 1048576")));
}

TEST_F(ClientDevserverTest, WrongClientSecretIsUnauthenticatedWithoutSecret) {
  http::CurlHttpTransport curl({});
  FakeClock clock;
  OsRandomSource random;
  CapturingLogSink log;
  auth::UniversalAuthOptions o = Stack::Options(server_->base_url());
  o.client_secret = SecretValue(std::string("CANARY-wrong-secret"));
  auth::UniversalAuthProvider provider(curl, clock, log, std::move(o));
  auto token = provider.Token();
  EXPECT_FALSE(token.ok());
  EXPECT_THAT(std::string(token.status().message()), Not(HasSubstr("CANARY")));
}

TEST(ClientDevserverHttpsTest, ListsOverTlsWithTheRightCaOnly) {
  std::string d = TmpDir() + "/devtls";
  std::string script = absl::StrCat(
      "set -e; mkdir -p ", d, "; cd ", d, ";",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      " -keyout ca.key -out ca.pem -days 1 -subj /CN=it-ca 2>/dev/null;",
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      " -keyout o.key -out other.pem -days 1 -subj /CN=other 2>/dev/null;",
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      " -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null;",
      "printf 'subjectAltName=IP:127.0.0.1\\n' > ext;",
      "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
      " -out srv.pem -days 1 -extfile ext 2>/dev/null");
  ASSERT_EQ(std::system(script.c_str()), 0);
  DevServer server({"--tls-cert", d + "/srv.pem", "--tls-key", d + "/srv.key"});
  ASSERT_TRUE(absl::StartsWith(server.base_url(), "https://")) << server.base_url();

  http::CurlTransportOptions right;
  right.ca_bundle = d + "/ca.pem";
  Stack ok(server.base_url(), right);
  auto list = ok.client.List(ok.scope);
  ASSERT_THAT(list, IsOk());
  EXPECT_EQ(list->size(), 3u);

  http::CurlTransportOptions wrong;
  wrong.ca_bundle = d + "/other.pem";
  Stack bad(server.base_url(), wrong);
  EXPECT_THAT(bad.client.List(bad.scope), StatusIs(absl::StatusCode::kUnavailable,
                                                   HasSubstr("/api/v1/auth/universal-auth/login")));
}

}  // namespace
}  // namespace secretsync

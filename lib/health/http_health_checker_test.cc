// Tests for HttpHealthChecker against an in-test httplib server on
// 127.0.0.1:0: status, body substring, timeout, refused; the body never
// reaches the detail.
#include "lib/health/http_health_checker.h"

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace secretsync {
namespace health {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "canary-body-8f2c1d0e";

// Runs `server` on 127.0.0.1:<ephemeral> in a thread until destroyed.
class ServerThread {
 public:
  explicit ServerThread(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ServerThread() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

 private:
  httplib::Server& server_;
  int port_ = 0;
  std::thread thread_;
};

HttpHealthChecker Checker(const std::string& url, uint32_t status = 0,
                          const std::string& substring = "") {
  v1::HttpHealthCheck c;
  c.set_url(url);
  c.set_expect_status(status);
  c.set_expect_body_substring(substring);
  return HttpHealthChecker(c);
}

class HttpHealthCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(absl::StrCat("all good ", kCanary), "text/plain");
    });
    server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content(absl::StrCat("db login failed ", kCanary), "text/plain");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      release_.WaitForNotification();
      res.set_content("late", "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(kMaxHealthBodyBytes + 1, 'x'), "text/plain");
    });
  }
  httplib::Server server_;
  absl::Notification release_;
};

TEST_F(HttpHealthCheckerTest, ExpectedStatusIsHealthy) {
  ServerThread t(server_);
  HttpHealthChecker checker = Checker(t.Url("/ok"));
  EXPECT_EQ(checker.Label(), t.Url("/ok").insert(0, "GET "));
  AttemptResult r = checker.Attempt(absl::Seconds(5));
  EXPECT_TRUE(r.healthy);
  EXPECT_THAT(r.detail, Not(HasSubstr(kCanary)));
}

TEST(UrlWithoutCredentialsTest, UserinfoIsMaskedAndNothingElseChanges) {
  EXPECT_EQ(UrlWithoutCredentials("http://admin:canary-pw@127.0.0.1:8000/_health/"),
            "http://***@127.0.0.1:8000/_health/");
  EXPECT_EQ(UrlWithoutCredentials("https://tok@h/x"), "https://***@h/x");
  // An @ in the path or query is not userinfo.
  EXPECT_EQ(UrlWithoutCredentials("http://h:1/a@b?c=d@e"), "http://h:1/a@b?c=d@e");
  EXPECT_EQ(UrlWithoutCredentials("http://u:p@ss@h/"), "http://***@h/");
  EXPECT_EQ(UrlWithoutCredentials("http://127.0.0.1:8000/_health/"),
            "http://127.0.0.1:8000/_health/");
  HttpHealthChecker checker([] {
    v1::HttpHealthCheck c;
    c.set_url("http://admin:canary-pw@127.0.0.1:8000/_health/");
    return c;
  }());
  EXPECT_THAT(checker.Label(), Not(HasSubstr("canary-pw")));
}

TEST_F(HttpHealthCheckerTest, OtherStatusIsUnhealthyWithoutTheBody) {
  ServerThread t(server_);
  AttemptResult r = Checker(t.Url("/fail")).Attempt(absl::Seconds(5));
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "status 500, want 200");
}

TEST_F(HttpHealthCheckerTest, ConfiguredStatusIsTheOneWanted) {
  ServerThread t(server_);
  EXPECT_TRUE(Checker(t.Url("/fail"), 500).Attempt(absl::Seconds(5)).healthy);
  EXPECT_EQ(Checker(t.Url("/ok"), 204).Attempt(absl::Seconds(5)).detail, "status 200, want 204");
}

TEST_F(HttpHealthCheckerTest, BodySubstringMustBePresent) {
  ServerThread t(server_);
  EXPECT_TRUE(Checker(t.Url("/ok"), 0, "all good").Attempt(absl::Seconds(5)).healthy);
  AttemptResult r = Checker(t.Url("/ok"), 0, "database: ok").Attempt(absl::Seconds(5));
  EXPECT_FALSE(r.healthy);
  EXPECT_THAT(r.detail, HasSubstr("lacks the expected text"));
  EXPECT_THAT(r.detail, Not(HasSubstr(kCanary)));
  EXPECT_THAT(r.detail, Not(HasSubstr("database: ok")));
}

TEST_F(HttpHealthCheckerTest, SlowReplyTimesOut) {
  ServerThread t(server_);
  AttemptResult r = Checker(t.Url("/slow")).Attempt(absl::Milliseconds(200));
  release_.Notify();
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "timed out after 200 ms");
}

TEST_F(HttpHealthCheckerTest, OversizedReplyIsUnhealthy) {
  ServerThread t(server_);
  AttemptResult r = Checker(t.Url("/big")).Attempt(absl::Seconds(5));
  EXPECT_FALSE(r.healthy);
  EXPECT_THAT(r.detail, HasSubstr("reply larger than"));
}

TEST(HttpHealthCheckerRefusedTest, StoppedServerIsConnectionRefused) {
  std::string url;
  {
    httplib::Server gone;
    ServerThread t(gone);
    url = t.Url("/_health/");
    // A reply (404) proves the accept loop runs, so that stop() ends it.
    EXPECT_EQ(Checker(url).Attempt(absl::Seconds(5)).detail, "status 404, want 200");
  }  // stopped and closed: nothing listens on the port now
  AttemptResult r = Checker(url).Attempt(absl::Seconds(5));
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "connection refused");
}

}  // namespace
}  // namespace health
}  // namespace secretsync

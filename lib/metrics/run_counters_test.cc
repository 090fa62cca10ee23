// Tests of what feeds RunCounters: the instrumented transport (method,
// status class, latency from the injected clock) and the counting log sink.
#include "lib/metrics/run_counters.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "lib/base/log.h"
#include "lib/metrics/counting_log_sink.h"
#include "lib/metrics/instrumented_http_transport.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_http_transport.h"

namespace secretsync {
namespace metrics {
namespace {

// A transport that takes 250 ms of fake time per request.
class SlowTransport : public HttpTransport {
 public:
  SlowTransport(HttpTransport& inner, FakeClock& clock) : inner_(inner), clock_(clock) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    clock_.Advance(absl::Milliseconds(250));
    return inner_.Send(request);
  }

 private:
  HttpTransport& inner_;
  FakeClock& clock_;
};

TEST(RunCountersTest, StatusClassCoversEveryRange) {
  EXPECT_EQ(StatusClass(200), "2xx");
  EXPECT_EQ(StatusClass(304), "3xx");
  EXPECT_EQ(StatusClass(429), "4xx");
  EXPECT_EQ(StatusClass(503), "5xx");
  EXPECT_EQ(StatusClass(0), "error");
  EXPECT_EQ(StatusClass(700), "error");
}

TEST(InstrumentedHttpTransportTest, CountsByMethodAndStatusClassWithLatency) {
  FakeHttpTransport fake;
  fake.On("GET", "/api/v3/secrets", JsonReply(200, "{}"));
  fake.On("POST", "/api/v1/auth", JsonReply(401, "{}"));
  fake.On("PATCH", "/api", absl::UnavailableError("curl: connection refused"));
  FakeClock clock;
  SlowTransport slow(fake, clock);
  RunCounters counters;
  InstrumentedHttpTransport http(slow, clock, counters);
  HttpRequest get;
  get.url = "http://127.0.0.1/api/v3/secrets/raw";
  EXPECT_TRUE(http.Send(get).ok());
  EXPECT_TRUE(http.Send(get).ok());
  HttpRequest login;
  login.method = "POST";
  login.url = "http://127.0.0.1/api/v1/auth/universal-auth/login";
  EXPECT_EQ(http.Send(login)->status, 401);  // a non-2xx reply stays a value
  HttpRequest patch;
  patch.method = "PATCH";
  patch.url = "http://127.0.0.1/api/v3/secrets/raw/X";
  EXPECT_TRUE(absl::IsUnavailable(http.Send(patch).status()));

  const auto requests = counters.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests.at({"GET", "2xx"}).requests, 2);
  EXPECT_DOUBLE_EQ(requests.at({"GET", "2xx"}).seconds, 0.5);
  EXPECT_EQ(requests.at({"POST", "4xx"}).requests, 1);
  EXPECT_EQ(requests.at({"PATCH", "error"}).requests, 1);
}

TEST(CountingLogSinkTest, CountsTokenCacheHitsAndLoginsAndPassesEveryLineOn) {
  CapturingLogSink inner;
  RunCounters counters;
  CountingLogSink sink(inner, counters);
  Logger log(sink);
  log.Info("auth.token_cache_hit").Field("path", "/t/token.cache");
  log.Info("auth.login").Field("ttl_s", 60);
  log.Info("auth.login_failed");           // another event with the same prefix
  log.Warn("auth.token_cache_ignored");
  log.Info("auth.token_cache_hit_rate");   // not the hit event
  EXPECT_EQ(counters.token_cache_hits(), 1);
  EXPECT_EQ(counters.token_cache_misses(), 1);
  EXPECT_EQ(inner.lines().size(), 5u);
}

}  // namespace
}  // namespace metrics
}  // namespace secretsync

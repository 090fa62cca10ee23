// HubMetrics: the series each event leaves in the exposition.
#include "lib/hub/hub_metrics.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"

namespace secretsync {
namespace hub {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

fanout::HostResult Row(const std::string& host, fanout::Outcome outcome) {
  fanout::HostResult r;
  r.host = host;
  r.outcome = outcome;
  return r;
}

TEST(HubMetricsTest, ZeroSeriesExistBeforeAnyEvent) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  HubMetrics m({"glitchtip"}, clock);
  const std::string text = m.Text();
  EXPECT_THAT(text, HasSubstr("secretsync_hub_deliveries_total{outcome=\"routed\"} 0"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_refusals_total{status=\"401\"} 0"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanouts_total{result=\"failed\",route=\"glitchtip\"} 0"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanouts_in_flight 0"));
  // No certificate known yet: no expiry series at all (not a fake 0).
  EXPECT_THAT(text, Not(HasSubstr("secretsync_hub_certificate_expiry_seconds")));
}

TEST(HubMetricsTest, DeliveriesAndRefusalsAreCountedByOutcomeAndStatus) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  HubMetrics m({"glitchtip"}, clock);
  m.Delivered("routed");
  m.Delivered("no route");
  m.Delivered("no route");
  m.Refused(401);
  m.Refused(413);
  m.Refused(413);
  const std::string text = m.Text();
  EXPECT_THAT(text, HasSubstr("secretsync_hub_deliveries_total{outcome=\"routed\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_deliveries_total{outcome=\"no_route\"} 2"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_refusals_total{status=\"401\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_refusals_total{status=\"413\"} 2"));
}

TEST(HubMetricsTest, AFanoutIsOkOnlyWhenEveryHostSynced) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  HubMetrics m({"a", "b"}, clock);
  m.FanoutStarted();
  m.FanoutStarted();
  EXPECT_THAT(m.Text(), HasSubstr("secretsync_hub_fanouts_in_flight 2"));
  m.FanoutFinished("a", {Row("h1:7800", fanout::Outcome::kOk), Row("h2:7800", fanout::Outcome::kOk)},
                   absl::Milliseconds(300), absl::FromUnixSeconds(1800000100));
  m.FanoutFinished("b",
                   {Row("h3:7800", fanout::Outcome::kOk), Row("h4:7800", fanout::Outcome::kUnreachable)},
                   absl::Seconds(2), absl::FromUnixSeconds(1800000200));
  const std::string text = m.Text();
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanouts_in_flight 0"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanouts_total{result=\"ok\",route=\"a\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanouts_total{result=\"failed\",route=\"b\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_host_syncs_total{result=\"ok\",route=\"a\"} 2"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_host_syncs_total{result=\"unreachable\",route=\"b\"} 1"));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_last_success_timestamp_seconds{route=\"a\"} 1800000100"));
  // Route b never synced every host: no last success.
  EXPECT_THAT(text, Not(HasSubstr("secretsync_hub_last_success_timestamp_seconds{route=\"b\"}")));
  EXPECT_THAT(text, HasSubstr("secretsync_hub_fanout_duration_seconds_count{route=\"b\"} 1"));
  // Hosts are not labels: the series stay bounded by the routes.
  EXPECT_THAT(text, Not(HasSubstr("h4:7800")));
}

TEST(HubMetricsTest, CertificateExpiryFallsWithTheClock) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  HubMetrics m({}, clock);
  m.SetCertificateExpiry("listener", absl::FromUnixSeconds(1800000000 + 86400));
  EXPECT_THAT(m.Text(),
              HasSubstr("secretsync_hub_certificate_expiry_seconds{cert=\"listener\"} 86400"));
  clock.Advance(absl::Hours(1));
  EXPECT_THAT(m.Text(),
              HasSubstr("secretsync_hub_certificate_expiry_seconds{cert=\"listener\"} 82800"));
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

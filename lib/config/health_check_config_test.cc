// CheckHealthCheck accepts a sane check, fills its defaults, and names the
// field of every problem.
#include "lib/config/health_check_config.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace config {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

v1::HealthCheck Parse(const std::string& text) {
  v1::HealthCheck c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &c)) << text;
  return c;
}

TEST(HealthCheckConfigTest, FillsDefaults) {
  v1::HealthCheck c = Parse(R"pb(http { url: "http://127.0.0.1:8000/_health/" })pb");
  ASSERT_THAT(CheckHealthCheck(c), IsOk());
  EXPECT_EQ(c.http().expect_status(), 200u);
  EXPECT_EQ(c.timeout_ms(), 5000u);
  EXPECT_EQ(c.attempts(), 3u);
  EXPECT_EQ(c.interval_ms(), 1000u);
  EXPECT_EQ(c.start_delay_ms(), 0u);
  EXPECT_EQ(c.rollback_on_unhealthy(), v1::ROLLBACK_DEFAULT);
}

TEST(HealthCheckConfigTest, KeepsGivenValues) {
  v1::HealthCheck c = Parse(R"pb(command { command: "/bin/true" }
                                 timeout_ms: 100 attempts: 1 interval_ms: 10
                                 start_delay_ms: 50 rollback_on_unhealthy: ROLLBACK_NEVER)pb");
  ASSERT_THAT(CheckHealthCheck(c), IsOk());
  EXPECT_EQ(c.timeout_ms(), 100u);
  EXPECT_EQ(c.attempts(), 1u);
  EXPECT_EQ(c.interval_ms(), 10u);
}

struct BadCase {
  const char* text;
  const char* message;  // expected substring, with the field name
};

class HealthCheckConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(HealthCheckConfigErrorTest, NamesTheField) {
  v1::HealthCheck c = Parse(GetParam().text);
  EXPECT_THAT(CheckHealthCheck(c),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HealthCheckConfigErrorTest,
    ::testing::Values(
        BadCase{"timeout_ms: 10", "health_check.check: set exactly one of http or command"},
        BadCase{"http { url: \"ftp://h/x\" }", "health_check.http.url: must start with http://"},
        BadCase{"http { url: \"127.0.0.1:8000/\" }", "health_check.http.url: must start"},
        BadCase{"http { url: \"http:///x\" }", "health_check.http.url: has no host"},
        BadCase{"http { url: \"http://h/a b\" }", "health_check.http.url: contains a space"},
        BadCase{"http { url: \"http://h/\" expect_status: 42 }", "health_check.http.expect_status"},
        BadCase{"http { url: \"https://h/\" ca_bundle: \"/ca.pem\" insecure_skip_verify: true }",
                "health_check.http.insecure_skip_verify: set ca_bundle or"},
        BadCase{"command { }", "health_check.command.command: is empty"},
        BadCase{"command { command: \"\" }", "health_check.command.command: is empty"},
        BadCase{"command { command: \"c\" } timeout_ms: 120001", "health_check.timeout_ms: 120001"},
        BadCase{"command { command: \"c\" } attempts: 31", "health_check.attempts"},
        BadCase{"command { command: \"c\" } interval_ms: 60001", "health_check.interval_ms"},
        BadCase{"command { command: \"c\" } start_delay_ms: 300001",
                "health_check.start_delay_ms"}));

}  // namespace
}  // namespace config
}  // namespace secretsync

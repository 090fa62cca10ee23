// Hub config: defaults, and each check's "file:line:col" error with exit 78.
#include "lib/hub/hub_config.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace hub {
namespace {

using ::testing::HasSubstr;

constexpr char kGood[] = R"pb(listen { address: "127.0.0.1:0" plaintext_loopback: true }
webhook_key_file: "key"
agents { insecure_loopback_plaintext: true }
routes {
  name: "web"
  project_id: "p1"
  environment: "prod"
  hosts: "127.0.0.1:7001"
  hosts: "127.0.0.1:7002"
}
)pb";

absl::StatusOr<LoadedHubConfig> Parse(const std::string& text) {
  RealFilesystem fs;
  return ParseHubConfig(text, "hub.textproto", "/etc/secretsync", fs);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(HubConfigTest, FillsDefaultsAndResolvesPaths) {
  absl::StatusOr<LoadedHubConfig> c = Parse(kGood);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.webhook_key_file(), "/etc/secretsync/key");
  EXPECT_EQ(c->config.limits().debounce_ms(), 500);
  EXPECT_EQ(c->config.limits().max_body_bytes(), 65536);
  EXPECT_EQ(c->config.limits().retry_budget_seconds(), 300);
  EXPECT_EQ(c->config.routes(0).secret_path(), "/**");
  EXPECT_EQ(c->config.routes(0).parallel(), 16);
  EXPECT_EQ(c->config.routes(0).deadline_seconds(), 1800);
  ASSERT_EQ(c->route_hosts.size(), 1u);
  ASSERT_EQ(c->route_hosts[0].size(), 2u);
  EXPECT_EQ(c->route_hosts[0][1].target, "127.0.0.1:7002");
}

TEST(HubConfigTest, ReadsAHostsFile) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  std::ofstream(dir + "/hosts.txt") << "# fleet\n127.0.0.1:7003\n127.0.0.1:7001\n";
  RealFilesystem fs;
  absl::StatusOr<LoadedHubConfig> c = ParseHubConfig(
      Replace(kGood, "hosts: \"127.0.0.1:7002\"", "hosts_file: \"hosts.txt\""), "hub.textproto",
      dir, fs);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->route_hosts[0].size(), 2u);
  EXPECT_EQ(c->route_hosts[0][1].target, "127.0.0.1:7003");
}

TEST(HubConfigTest, RefusalsNameTheFieldsPositionWithExit78) {
  struct Case {
    std::string text;
    const char* where_and_what;
  } cases[] = {
      {Replace(kGood, "listen {", "listen {{"), "hub.textproto:1:9: "},
      {Replace(kGood, "127.0.0.1:0\"", "0.0.0.0:443\""), "hub.textproto:1:10: plaintext_loopback"},
      {Replace(kGood, "127.0.0.1:0\"", "127.0.0.1\""), "hub.textproto:1:10: listen.address"},
      {Replace(kGood, " plaintext_loopback: true", ""), "hub.textproto:1:1: listen needs"},
      {Replace(kGood, "project_id: \"p1\"", ""), "hub.textproto:5:3: route web needs project_id"},
      {Replace(kGood, "environment: \"prod\"", ""), "route web needs environment"},
      {Replace(kGood, "environment: \"prod\"", "environment: \"prod\" secret_path: \"/a**\""),
       "hub.textproto:7:23: secret_path"},
      {Replace(kGood, "hosts: \"127.0.0.1:7002\"", "hosts: \"10.0.0.2:7002\""),
       "10.0.0.2:7002 is not loopback"},
      {Replace(kGood, "hosts: \"127.0.0.1:7002\"", "hosts: \"::1:7002\""),
       "hub.textproto:9:3: "},
      {Replace(kGood, "agents { insecure_loopback_plaintext: true }", "agents { }"),
       "agents needs ca_file"},
      {Replace(kGood, "webhook_key_file: \"key\"", "webhook_key_file: \"k\" limits { debounce_ms: -5 }"),
       "hub.textproto:2:32: limits.debounce_ms"},
      {Replace(kGood, "webhook_key_file: \"key\"", ""), "webhook_key_file is required"},
      {std::string(kGood) + "routes { name: \"web\" project_id: \"p\" environment: \"e\" }",
       "hub.textproto:11:10: route name web is used twice"},
      {Replace(kGood, "hosts: \"127.0.0.1:7001\"\n  hosts: \"127.0.0.1:7002\"", ""),
       "route web has no hosts"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<LoadedHubConfig> got = Parse(c.text);
    ASSERT_FALSE(got.ok()) << c.where_and_what;
    EXPECT_THAT(std::string(got.status().message()), HasSubstr(c.where_and_what));
    EXPECT_EQ(ExitCodeFromStatus(got.status()), kExitConfig) << got.status();
  }
}

TEST(HubConfigTest, MissingConfigIsNotFound) {
  RealFilesystem fs;
  absl::StatusOr<LoadedHubConfig> c = LoadHubConfig("/nonexistent/hub.textproto", fs);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

// The config loader fills defaults, resolves paths and points errors at file:line:col.
#include "lib/config/loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace config {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

TEST(LoaderTest, FillsDefaultsAndResolvesRelativePaths) {
  auto c = ParseConfig(R"pb(
    project_slug: "glitchtip"
    environment: "prod"
    template_path: ".env.template"
    output_path: "/opt/glitchtip/.env"
    secrets { name: "SECRET_KEY" generator { kind: HEX } }
    secrets { name: "TOKEN" generator { kind: DJANGO } }
  )pb", "a.textproto", "/etc/secretsync");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->config.secret_path(), "/");
  EXPECT_EQ(c->config.file_mode(), "0600");
  EXPECT_EQ(c->config.template_path(), "/etc/secretsync/.env.template");
  EXPECT_EQ(c->config.output_path(), "/opt/glitchtip/.env");
  EXPECT_EQ(c->config.lock_file(), "/opt/glitchtip/.env.lock");
  EXPECT_EQ(c->config.secrets(0).generator().bytes(), 32u);
  EXPECT_EQ(c->config.secrets(1).generator().length(), 50u);
  EXPECT_EQ(c->config.infisical().max_response_bytes(), 64u << 20);
}

struct BadCase {
  const char* text;
  const char* where;    // expected "file:line:col"
  const char* message;  // expected substring
};

class LoaderErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(LoaderErrorTest, ReportsFileLineColumn) {
  auto c = ParseConfig(GetParam().text, "bad.textproto", "/x");
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr(GetParam().where), HasSubstr(GetParam().message))));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoaderErrorTest,
    ::testing::Values(
        BadCase{"environment: \"prod\"\nnope: 1\n", "bad.textproto:2:5", "no field named \"nope\""},
        BadCase{"environment: prod\n", "bad.textproto:1:14", ""},
        BadCase{"secrets {\n  name: \"1BAD\"\n}\n", "bad.textproto:1:1", "not a valid variable name"},
        BadCase{"secrets { name: \"A\" }\nsecrets {\n  name: \"A\"\n}\n", "bad.textproto:3:3",
                "declared twice"},
        BadCase{"secrets {\n name: \"A\"\n generator { kind: HEX bytes: 100000 }\n}\n",
                "bad.textproto:3:2", "bytes must be between 1 and 65536"},
        BadCase{"secrets {\n name: \"A\"\n generator { kind: ALNUM bytes: 3 }\n}\n",
                "bad.textproto:3:2", "takes length"},
        BadCase{"secrets { name: \"A\" generator { } }\n", "bad.textproto:1:21",
                "generator kind is not set"},
        BadCase{"\nfile_mode: \"0644\"\n", "bad.textproto:2:1", "every user"},
        BadCase{"file_mode: \"rw\"\n", "bad.textproto:1:1", "not an octal mode"},
        BadCase{"auth {\n  universal_auth { client_id { env: \"X\" } }\n}\n",
                "bad.textproto:2:3", "client_secret needs one of env, file"},
        BadCase{"project_id: \"a\"\nproject_slug: \"b\"\n", "bad.textproto:2:1",
                "not both"},
        BadCase{"output_path: \"x\"\nhealth_check {\n  http { url: \"ftp://h/\" }\n}\n",
                "bad.textproto:2:1", "health_check.http.url: must start with http://"}));

TEST(LoaderTest, ResolvesTheHealthCheckCaBundleAndFillsItsDefaults) {
  auto c = ParseConfig(
      "health_check { http { url: \"https://127.0.0.1:8443/_health/\" ca_bundle: \"ca.pem\" } }\n",
      "c.textproto", "/etc/x");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->config.health_check().http().ca_bundle(), "/etc/x/ca.pem");
  EXPECT_EQ(c->config.health_check().attempts(), 3u);
}

TEST(LoaderTest, MissingFileIsNotFound) {
  RealFilesystem fs;
  EXPECT_THAT(LoadConfig("/nonexistent/secretsync.textproto", fs),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/secretsync.textproto")));
}

TEST(LoaderTest, GlitchtipExampleLoads) {
  RealFilesystem fs;
  auto c = LoadConfig("deploy/examples/glitchtip/secretsync.textproto", fs);
  ASSERT_THAT(c, IsOk());
  ASSERT_NE(FindSpec(c->config, "SECRET_KEY"), nullptr);
  EXPECT_EQ(FindSpec(c->config, "SECRET_KEY")->generator().kind(), v1::Generator::HEX);
  EXPECT_EQ(FindSpec(c->config, "POSTGRES_PASSWORD")->generator().kind(), v1::Generator::BASE64);
  EXPECT_EQ(FindSpec(c->config, "POSTGRES_PASSWORD")->rotation().postgres_role(),
            "glitchtip_maintainer");
  EXPECT_EQ(FindSpec(c->config, "EMAIL_URL")->validator().kind(), v1::Validator::SMTP_URL);
  EXPECT_EQ(FindSpec(c->config, "NOPE"), nullptr);
}

TEST(LoaderTest, OverridesApplyBeforeDefaultsSoDerivedPathsFollowThem) {
  ConfigOverrides o;
  o.output_path = "/srv/other/.env";
  o.environment = "staging";
  auto c = ParseConfig("output_path: \".env\"\nenvironment: \"prod\"\n", "c.textproto", "/etc/x", o);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->config.output_path(), "/srv/other/.env");
  EXPECT_EQ(c->config.lock_file(), "/srv/other/.env.lock");
  EXPECT_EQ(c->config.environment(), "staging");
}

TEST(LoaderTest, AnExplicitLockFileStaysWhenTheOutputIsOverridden) {
  ConfigOverrides o;
  o.output_path = "/srv/other/.env";
  auto c = ParseConfig("output_path: \".env\"\nlock_file: \"run.lock\"\n", "c.textproto", "/etc/x", o);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->config.lock_file(), "/etc/x/run.lock");
}

}  // namespace
}  // namespace config
}  // namespace secretsync

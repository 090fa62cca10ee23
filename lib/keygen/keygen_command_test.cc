// keygen's command behaviour: output shapes, usage errors, and --push that
// creates only missing secrets and prints names, never values.
#include "lib/keygen/keygen_command.h"

#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/fake_command_runner.h"
#include "lib/testing/fake_secret_store.h"

namespace secretsync {
namespace keygen {
namespace {

using ::testing::HasSubstr;

constexpr char kConfig[] = "deploy/examples/glitchtip/secretsync.textproto";
constexpr char kCanary[] = "canary-email-url-5d1e";

// Always returns the same byte, so generated values are predictable.
class ConstantRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t* buf, size_t len) override {
    for (size_t i = 0; i < len; ++i) buf[i] = 0xab;
    return absl::OkStatus();
  }
};

struct Outcome {
  int code;
  std::string out, err, log;
};

class KeygenCommandTest : public ::testing::Test {
 protected:
  Outcome Keygen(const KeygenOptions& o) {
    std::ostringstream out, err;
    CapturingLogSink log;
    System sys{clock_, fs_, random_, env_, commands_, log, users_, store_.Factory()};
    int code = RunKeygen(o, sys, out, err);
    return Outcome{code, out.str(), err.str(), log.Joined()};
  }

  ConstantRandom random_;
  MapEnvironment env_;
  FakeSecretStore store_;
  FakeClock clock_;
  RealFilesystem fs_;
  FakeCommandRunner commands_;
  MapUserDirectory users_;
};

TEST_F(KeygenCommandTest, HexLikeOpensslRand) {
  KeygenOptions o;
  o.format = "hex";
  o.bytes = 4;
  Outcome r = Keygen(o);
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "abababab\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(KeygenCommandTest, CountPrintsOneValuePerLine) {
  KeygenOptions o;
  o.format = "django";
  o.count = 3;
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk);
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& l : lines) EXPECT_EQ(l.size(), 50u);
}

struct UsageCase {
  const char* format;
  int64_t bytes, length, count;
  const char* message;
};

class KeygenUsageTest : public KeygenCommandTest,
                        public ::testing::WithParamInterface<UsageCase> {};

TEST_P(KeygenUsageTest, ExitsWithUsageAndSaysWhy) {
  KeygenOptions o;
  o.format = GetParam().format;
  o.bytes = GetParam().bytes;
  o.length = GetParam().length;
  o.count = GetParam().count;
  Outcome r = Keygen(o);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr(GetParam().message));
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, KeygenUsageTest,
    ::testing::Values(UsageCase{"rot13", -1, -1, 1, "unknown format \"rot13\""},
                      UsageCase{"hex", 0, -1, 1, "--bytes must be between 1 and 65536, got 0"},
                      UsageCase{"hex", 1 << 30, -1, 1, "--bytes must be between"},
                      UsageCase{"alnum", -1, 0, 1, "--length must be between"},
                      UsageCase{"hex", -1, 10, 1, "--length does not apply"},
                      UsageCase{"django", 8, -1, 1, "--bytes does not apply"},
                      UsageCase{"hex", -1, -1, 0, "--count must be between"},
                      UsageCase{"hex", -1, -1, 1000001, "--count must be between"}));

TEST_F(KeygenCommandTest, ConfigPrintsEveryGeneratedSecretOfTheSpec) {
  KeygenOptions o;
  o.config_path = kConfig;
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);  // EMAIL_URL has no generator
  EXPECT_EQ(lines[0], "SECRET_KEY="
                          "abababababababababababababababababababababababababababababababab");
  EXPECT_TRUE(absl::StartsWith(lines[1], "POSTGRES_PASSWORD="));
  EXPECT_EQ(lines[1].size(), std::string("POSTGRES_PASSWORD=").size() + 44);
}

TEST_F(KeygenCommandTest, SecretFlagPrintsJustThatValue) {
  KeygenOptions o;
  o.config_path = kConfig;
  o.secret = "POSTGRES_PASSWORD";
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n");
}

TEST_F(KeygenCommandTest, UnknownOrManualSecretIsAnError) {
  KeygenOptions o;
  o.config_path = kConfig;
  o.secret = "NOPE";
  EXPECT_EQ(Keygen(o).code, kExitNoInput);
  o.secret = "EMAIL_URL";
  Outcome r = Keygen(o);
  EXPECT_EQ(r.code, kExitDataErr);
  EXPECT_THAT(r.err, HasSubstr("EMAIL_URL has no generator"));
}

TEST_F(KeygenCommandTest, MissingConfigIsNoInput) {
  KeygenOptions o;
  o.config_path = "/nonexistent.textproto";
  Outcome r = Keygen(o);
  EXPECT_EQ(r.code, kExitNoInput);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent.textproto"));
}

TEST_F(KeygenCommandTest, PushCreatesOnlyMissingSecretsAndPrintsNames) {
  store_.Put("EMAIL_URL", kCanary);
  store_.Put("SECRET_KEY", "existing-secret-key-canary", 7);
  KeygenOptions o;
  o.config_path = kConfig;
  o.push = true;
  o.overrides.site_url = "http://127.0.0.1:1";
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "created POSTGRES_PASSWORD\n");
  EXPECT_EQ(store_.ValueOf("SECRET_KEY"), "existing-secret-key-canary");
  EXPECT_EQ(store_.VersionOf("SECRET_KEY"), 7);
  EXPECT_EQ(store_.ValueOf("POSTGRES_PASSWORD").size(), 44u);
  EXPECT_EQ(store_.last_config.infisical().site_url(), "http://127.0.0.1:1");
  for (const std::string& text : {r.out, r.err, r.log}) {
    EXPECT_EQ(text.find(kCanary), std::string::npos);
    EXPECT_EQ(text.find("existing-secret-key-canary"), std::string::npos);
    EXPECT_EQ(text.find(store_.ValueOf("POSTGRES_PASSWORD")), std::string::npos);
  }
  EXPECT_THAT(r.log, HasSubstr("created=POSTGRES_PASSWORD"));

  Outcome again = Keygen(o);  // idempotent: nothing left to create
  EXPECT_EQ(again.code, kExitOk);
  EXPECT_EQ(again.out, "");
}

TEST_F(KeygenCommandTest, PushDryRunChangesNothing) {
  KeygenOptions o;
  o.config_path = kConfig;
  o.push = true;
  o.dry_run = true;
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "would create SECRET_KEY\nwould create POSTGRES_PASSWORD\n");
  EXPECT_FALSE(store_.Has("SECRET_KEY"));
  EXPECT_THAT(r.log, HasSubstr("EMAIL_URL"));  // warned: must be set by hand
}

TEST_F(KeygenCommandTest, PushKeepsSecretCreatedConcurrently) {
  store_.fail_next = {absl::OkStatus(), absl::AlreadyExistsError("exists")};
  KeygenOptions o;
  o.config_path = kConfig;
  o.push = true;
  Outcome r = Keygen(o);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "created POSTGRES_PASSWORD\n");
}

TEST_F(KeygenCommandTest, PushFailureExitsWithMappedCode) {
  store_.fail_next = {absl::UnauthenticatedError("POST /api/v1/auth/universal-auth/login: 401")};
  KeygenOptions o;
  o.config_path = kConfig;
  o.push = true;
  Outcome r = Keygen(o);
  EXPECT_EQ(r.code, kExitNoPerm);
  EXPECT_THAT(r.err, HasSubstr("401"));
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace keygen
}  // namespace secretsync

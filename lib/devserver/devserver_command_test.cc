// Tests for the devserver command's option handling (serving is covered by
// tests/contract/devserver_contract_test).
#include "lib/devserver/devserver_command.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace devserver {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseListenAddressTest, Cases) {
  auto ok = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "127.0.0.1");
  EXPECT_EQ(ok->second, 0);
  for (const char* bad : {"127.0.0.1", ":80", "h:x", "h:70000", "h:-1"}) {
    EXPECT_THAT(ParseListenAddress(bad),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--listen")))
        << bad;
  }
}

TEST(ValidateOptionsTest, UsageErrors) {
  DevServerOptions options;
  options.seed_path = "seed";
  EXPECT_THAT(ValidateOptions(options), IsOk());
  DevServerOptions no_seed;
  EXPECT_THAT(ValidateOptions(no_seed),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--seed")));
  DevServerOptions lone_cert = options;
  lone_cert.tls_cert = "cert.pem";
  EXPECT_THAT(ValidateOptions(lone_cert),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-key")));
  DevServerOptions negative = options;
  negative.rate_limit_per_minute = -1;
  EXPECT_THAT(ValidateOptions(negative),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rate")));
  DevServerOptions status = options;
  status.rate_limit_status = 503;
  EXPECT_THAT(ValidateOptions(status),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rate-limit-status")));
  status.rate_limit_status = 500;
  EXPECT_TRUE(ValidateOptions(status).ok());
  DevServerOptions tiny = options;
  tiny.max_request_bytes = 10;
  EXPECT_THAT(ValidateOptions(tiny),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--max-request-bytes")));
  EXPECT_EQ(DevServerOptions().max_request_bytes, 1 << 20);
}

TEST(LoadInitialStateTest, PrefersExistingStateFileOverSeed) {
  std::string dir = std::getenv("TEST_TMPDIR");
  DevServerOptions options;
  options.seed_path = dir + "/seed.textproto";
  options.state_path = dir + "/state.textproto";
  std::ofstream(options.seed_path) << R"(projects { id: "from-seed" slug: "s" })";
  auto seed = LoadInitialState(options);
  ASSERT_TRUE(seed.ok()) << seed.status();
  EXPECT_EQ(seed->projects(0).id(), "from-seed");
  std::ofstream(options.state_path) << R"(projects { id: "from-state" slug: "s" })";
  auto state = LoadInitialState(options);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->projects(0).id(), "from-state");
  options.seed_path = dir + "/missing.textproto";
  options.state_path = "";
  EXPECT_THAT(LoadInitialState(options),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("--seed")));
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

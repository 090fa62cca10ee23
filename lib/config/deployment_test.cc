// LoadDeployment: paths relative to the user's folder, mode and owner/group
// resolved through the UserDirectory seam.
#include "lib/config/deployment.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace config {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

class DeploymentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = getenv("TEST_TMPDIR");
    env_.Set("BUILD_WORKING_DIRECTORY", dir_);
  }
  void WriteConfig(const std::string& text) {
    std::ofstream(dir_ + "/c.textproto") << text;
  }
  absl::StatusOr<Deployment> Load(ConfigOverrides o = {}) {
    return LoadDeployment("c.textproto", o, fs_, env_, users_);
  }

  std::string dir_;
  RealFilesystem fs_;
  MapEnvironment env_;
  MapUserDirectory users_{{{"app", 1001}}, {{"docker", 998}}};
};

TEST_F(DeploymentTest, ResolvesModeOwnerAndGroupByName) {
  WriteConfig("output_path: \".env\"\nfile_mode: \"0640\"\nowner: \"app\"\ngroup: \"docker\"\n");
  auto d = Load();
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->file_mode, 0640u);
  EXPECT_EQ(d->owner, 1001u);
  EXPECT_EQ(d->group, 998u);
  EXPECT_EQ(d->config_path, dir_ + "/c.textproto");
  EXPECT_EQ(d->config.output_path(), dir_ + "/.env");
}

TEST_F(DeploymentTest, EmptyOwnerMeansKeepTheExistingOne) {
  WriteConfig("output_path: \".env\"\n");
  auto d = Load();
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->file_mode, 0600u);
  EXPECT_FALSE(d->owner.has_value());
  EXPECT_FALSE(d->group.has_value());
}

TEST_F(DeploymentTest, NumericOwnerIsTakenAsTheId) {
  WriteConfig("output_path: \".env\"\nowner: \"0\"\ngroup: \"5\"\n");
  auto d = Load();
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->owner, 0u);
  EXPECT_EQ(d->group, 5u);
}

TEST_F(DeploymentTest, UnknownOwnerIsAConfigErrorNamingIt) {
  WriteConfig("output_path: \".env\"\nowner: \"nobody-here\"\n");
  EXPECT_THAT(Load(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("owner nobody-here")));
}

TEST_F(DeploymentTest, OverriddenPathsAreRelativeToTheUsersFolder) {
  WriteConfig("output_path: \".env\"\n");
  ConfigOverrides o;
  o.output_path = "out/.env";
  auto d = Load(o);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->config.output_path(), dir_ + "/out/.env");
  EXPECT_EQ(d->config.lock_file(), dir_ + "/out/.env.lock");
}

TEST_F(DeploymentTest, MissingConfigFlagIsInvalidArgument) {
  EXPECT_THAT(LoadDeployment("", {}, fs_, env_, users_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--config")));
}

// Two deployments sharing one state folder (the default one beside two
// outputs in one folder, or one configured folder for outputs with equal
// basenames) never share a journal.
TEST_F(DeploymentTest, JournalPathsArePerDeployment) {
  Deployment a, b, c;
  a.config_path = b.config_path = c.config_path = "/etc/secretsync/x.textproto";
  a.config.set_output_path("/opt/app/.env");
  b.config.set_output_path("/opt/app/.env.worker");
  c.config.set_output_path("/opt/other/.env");
  EXPECT_EQ(RotationStateDir(a), "/opt/app/.secretsync-rotate");
  EXPECT_EQ(RotationStateDir(b), RotationStateDir(a));
  const std::string ja = RotationJournalPath(a, "POSTGRES_PASSWORD");
  EXPECT_THAT(ja, ::testing::StartsWith("/opt/app/.secretsync-rotate/.env-"));
  EXPECT_THAT(ja, ::testing::EndsWith(".POSTGRES_PASSWORD.journal"));
  EXPECT_NE(ja, RotationJournalPath(b, "POSTGRES_PASSWORD"));
  EXPECT_EQ(ja, RotationJournalPath(a, "POSTGRES_PASSWORD"));  // stable
  for (Deployment* d : {&a, &c}) d->config.mutable_rotation()->set_state_dir("/var/lib/ss");
  EXPECT_NE(RotationJournalPath(a, "POSTGRES_PASSWORD"),
            RotationJournalPath(c, "POSTGRES_PASSWORD"));
  EXPECT_EQ(LegacyRotationJournalPath(a, "POSTGRES_PASSWORD"),
            "/var/lib/ss/POSTGRES_PASSWORD.journal");
  a.config.mutable_rotation()->set_state_dir("state");
  EXPECT_EQ(RotationStateDir(a), "/etc/secretsync/state");
  EXPECT_EQ(PendingSecretName("POSTGRES_USER"), "POSTGRES_USER__PENDING");
}

}  // namespace
}  // namespace config
}  // namespace secretsync

// Tests for ReadCredential: env, file and systemd sources, permissions, trimming.
#include "lib/auth/credential_source.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace auth {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY-cred-55e2";

std::string WriteFile(const std::string& name, const std::string& content, mode_t mode) {
  std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  std::ofstream(path, std::ios::trunc) << content;
  chmod(path.c_str(), mode);
  return path;
}

v1::CredentialSource Env(const std::string& name) {
  v1::CredentialSource s;
  s.set_env(name);
  return s;
}
v1::CredentialSource File(const std::string& path) {
  v1::CredentialSource s;
  s.set_file(path);
  return s;
}

TEST(ReadCredentialTest, ReadsEnvironmentVariableAndTrimsOneNewline) {
  MapEnvironment env({{"SECRET", absl::StrCat(kCanary, "\n\n")}});
  auto v = ReadCredential(Env("SECRET"), "auth.x", env);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Expose(), absl::StrCat(kCanary, "\n"));
}

TEST(ReadCredentialTest, MissingEnvironmentVariableIsNamed) {
  MapEnvironment env;
  EXPECT_THAT(ReadCredential(Env("INFISICAL_SECRET"), "auth.universal_auth.client_secret", env),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("INFISICAL_SECRET"), HasSubstr("client_secret"))));
}

TEST(ReadCredentialTest, ReadsPrivateFileTrimmingCrLf) {
  std::string path = WriteFile("cred_ok", absl::StrCat(kCanary, "\r\n"), 0600);
  MapEnvironment env;
  auto v = ReadCredential(File(path), "auth.x", env);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Expose(), kCanary);
}

TEST(ReadCredentialTest, RefusesGroupOrOtherReadableFile) {
  for (mode_t mode : {0640, 0604, 0660}) {
    std::string path = WriteFile("cred_wide", kCanary, mode);
    MapEnvironment env;
    auto v = ReadCredential(File(path), "auth.x", env);
    EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition,
                            AllOf(HasSubstr(path), HasSubstr("chmod 600"), Not(HasSubstr(kCanary)))));
  }
}

TEST(ReadCredentialTest, MissingFileIsNamed) {
  MapEnvironment env;
  EXPECT_THAT(ReadCredential(File("/nonexistent/secretsync/cred"), "auth.x", env),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/secretsync/cred")));
}

TEST(ReadCredentialTest, EmptyCredentialIsRejected) {
  std::string path = WriteFile("cred_empty", "\n", 0600);
  MapEnvironment env;
  EXPECT_THAT(ReadCredential(File(path), "auth.x", env),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(ReadCredentialTest, ReadsSystemdCredential) {
  WriteFile("infisical_secret", kCanary, 0400);
  MapEnvironment env({{"CREDENTIALS_DIRECTORY", std::getenv("TEST_TMPDIR")}});
  v1::CredentialSource s;
  s.set_systemd_credential("infisical_secret");
  auto v = ReadCredential(s, "auth.x", env);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->Expose(), kCanary);
}

TEST(ReadCredentialTest, SystemdCredentialNeedsCredentialsDirectory) {
  MapEnvironment env;
  v1::CredentialSource s;
  s.set_systemd_credential("infisical_secret");
  EXPECT_THAT(ReadCredential(s, "auth.x", env),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CREDENTIALS_DIRECTORY")));
  s.set_systemd_credential("../etc/shadow");
  EXPECT_THAT(ReadCredential(s, "auth.x", env), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plain name")));
}

TEST(ReadCredentialTest, UnsetSourceIsFailedPrecondition) {
  MapEnvironment env;
  EXPECT_THAT(ReadCredential(v1::CredentialSource(), "auth.access_token", env),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("auth.access_token")));
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

// Tests for ReadCredential: env, file and systemd sources, permissions, trimming.
#include "lib/auth/credential_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
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

TEST(ReadCredentialTest, MissingEnvironmentVariableIsAConfigError) {
  MapEnvironment env;
  auto v = ReadCredential(Env("INFISICAL_SECRET"), "auth.universal_auth.client_secret", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr("INFISICAL_SECRET"), HasSubstr("client_secret"),
                                HasSubstr("is not set"))));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitConfig);
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
    EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitConfig);
  }
}

TEST(ReadCredentialTest, MissingFileIsNamed) {
  MapEnvironment env;
  auto v = ReadCredential(File("/nonexistent/secretsync/cred"), "auth.x", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/secretsync/cred")));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitNoInput);
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
  EXPECT_EQ(ExitCodeFromStatus(ReadCredential(s, "auth.x", env).status()), kExitConfig);
  s.set_systemd_credential("../etc/shadow");
  auto v = ReadCredential(s, "auth.x", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("plain name")));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitConfig);
}

TEST(ReadCredentialTest, UnsetSourceIsFailedPrecondition) {
  MapEnvironment env;
  EXPECT_THAT(ReadCredential(v1::CredentialSource(), "auth.access_token", env),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("auth.access_token")));
}

// The docs say a credential file must belong to the running user: a 0600
// file of another user (who can rewrite it) is refused. Needs root (or
// CAP_CHOWN) to hand the file to another user, which the test machines have.
TEST(ReadCredentialTest, RefusesFileOwnedByAnotherUser) {
  std::string path = WriteFile("cred_other_owner", kCanary, 0600);
  ASSERT_EQ(chown(path.c_str(), 65534, 65534), 0) << "the test needs root or CAP_CHOWN";
  MapEnvironment env;
  auto v = ReadCredential(File(path), "auth.universal_auth.client_secret", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr(path), HasSubstr("not to the running user"),
                                HasSubstr("run chown "), Not(HasSubstr(kCanary)))));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitConfig);
  // The same for a systemd credential.
  MapEnvironment systemd({{"CREDENTIALS_DIRECTORY", std::getenv("TEST_TMPDIR")}});
  v1::CredentialSource s;
  s.set_systemd_credential("cred_other_owner");
  EXPECT_THAT(ReadCredential(s, "auth.x", systemd),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not to the running user")));
}

TEST(ReadCredentialTest, RefusesSymbolicLinkEvenToAPrivateFile) {
  std::string target = WriteFile("cred_link_target", kCanary, 0600);
  std::string link = absl::StrCat(std::getenv("TEST_TMPDIR"), "/cred_link");
  unlink(link.c_str());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  MapEnvironment env;
  auto v = ReadCredential(File(link), "auth.x", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr(link), HasSubstr("symbolic link"), Not(HasSubstr(kCanary)))));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitConfig);
}

// A FIFO used to block the open forever (while sync held its lock).
TEST(ReadCredentialTest, RefusesFifoWithoutBlocking) {
  std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/cred_fifo");
  unlink(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  MapEnvironment env;
  auto v = ReadCredential(File(path), "auth.x", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kFailedPrecondition,
                          AllOf(HasSubstr(path), HasSubstr("not a regular file"))));
}

TEST(ReadCredentialTest, OversizedFileIsDataErrorWithoutItsContent) {
  std::string path = WriteFile("cred_big", std::string(70 * 1024, 'k'), 0600);
  MapEnvironment env;
  auto v = ReadCredential(File(path), "auth.x", env);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("larger than 64 KiB")));
  EXPECT_EQ(ExitCodeFromStatus(v.status()), kExitDataErr);
}

}  // namespace
}  // namespace auth
}  // namespace secretsync

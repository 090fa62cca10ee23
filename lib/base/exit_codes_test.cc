// The exit-code table maps status codes as documented in --help.
#include "lib/base/exit_codes.h"

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(ExitCodesTest, MapsStatusCodes) {
  EXPECT_EQ(ExitCodeFromStatus(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeFromStatus(absl::InvalidArgumentError("x")), 65);
  EXPECT_EQ(ExitCodeFromStatus(absl::NotFoundError("x")), 66);
  EXPECT_EQ(ExitCodeFromStatus(absl::FailedPreconditionError("x")), 78);
  EXPECT_EQ(ExitCodeFromStatus(absl::UnauthenticatedError("x")), 77);
  EXPECT_EQ(ExitCodeFromStatus(absl::PermissionDeniedError("x")), 77);
  EXPECT_EQ(ExitCodeFromStatus(absl::UnavailableError("x")), 75);
  EXPECT_EQ(ExitCodeFromStatus(absl::DeadlineExceededError("x")), 75);
  EXPECT_EQ(ExitCodeFromStatus(absl::ResourceExhaustedError("x")), 75);
  EXPECT_EQ(ExitCodeFromStatus(absl::InternalError("x")), 70);
}

TEST(ExitCodesTest, HelpListsEveryCode) {
  const std::string help = ExitCodeHelp();
  for (const char* code : {" 0 ", "64", "65", "66", "70", "73", "74", "75", "77", "78", "79", "80", "81"}) {
    EXPECT_NE(help.find(code), std::string::npos) << code;
  }
}

}  // namespace
}  // namespace secretsync

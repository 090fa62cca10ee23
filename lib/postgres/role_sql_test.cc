// Role-name checks, identifier quoting and the psql scripts, as text.
#include "lib/postgres/role_sql.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kVerifier[] =
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

TEST(RoleSqlTest, QuotesIdentifiers) {
  EXPECT_EQ(QuoteIdentifier("plain"), "\"plain\"");
  EXPECT_EQ(QuoteIdentifier("Glitch Tip\"x"), "\"Glitch Tip\"\"x\"");
  EXPECT_EQ(QuoteIdentifier("o'brien"), "\"o'brien\"");
}

TEST(RoleSqlTest, ValidatesRoleNames) {
  EXPECT_THAT(ValidateRoleName("glitchtip_maintainer"), IsOk());
  EXPECT_THAT(ValidateRoleName(std::string(63, 'r')), IsOk());
  EXPECT_THAT(ValidateRoleName(std::string(64, 'r')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("63")));
  EXPECT_THAT(ValidateRoleName(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ValidateRoleName(std::string("a\0b", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
  EXPECT_THAT(ValidateRoleName("bad\xff"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
}

const ServerTimeouts kTimeouts = {absl::Milliseconds(1500), absl::Seconds(3)};
// What follows each statement: report the first error's SQLSTATE and quit.
constexpr char kCheck[] = ";\n\\if :ERROR\n\\echo secretsync-sqlstate :SQLSTATE\n\\quit\n\\endif\n";
const std::string kTimeoutsSql = absl::StrCat("SET lock_timeout = '1500ms'", kCheck,
                                              "SET statement_timeout = '3000ms'", kCheck);

TEST(RoleSqlTest, SetPasswordScriptStopsOnErrorAndCarriesOnlyTheVerifier) {
  EXPECT_THAT(SetPasswordScript("Glitch Tip\"x", kVerifier, kTimeouts),
              IsOkAndHolds(absl::StrCat("\\set ON_ERROR_STOP off\n", kTimeoutsSql,
                                        "SET ROLE NONE", kCheck,
                                        "ALTER ROLE \"Glitch Tip\"\"x\" PASSWORD '", kVerifier,
                                        "'", kCheck)));
  // Anything but a well-formed verifier would be stored as a plaintext password.
  EXPECT_THAT(SetPasswordScript("r", "SCRAM-SHA-256$4096:bad$x:y", kTimeouts),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(SetPasswordScript("r", "plain-password", kTimeouts),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(RoleSqlTest, AlternateRoleScriptPicksADollarTagNotInTheNames) {
  auto script = EnsureAlternateRoleScript("b$ss0$x", "a'b", kVerifier, kTimeouts);
  ASSERT_THAT(script, IsOk());
  EXPECT_THAT(*script, ::testing::StartsWith(
                           absl::StrCat("\\set ON_ERROR_STOP off\n", kTimeoutsSql, "BEGIN", kCheck)));
  EXPECT_THAT(*script, ::testing::EndsWith(absl::StrCat("COMMIT", kCheck)));
  EXPECT_THAT(*script, HasSubstr("DO $ss1$"));
  EXPECT_THAT(*script, HasSubstr("rolname = 'a''b'"));
  EXPECT_THAT(*script, HasSubstr("ALTER ROLE \"b$ss0$x\" PASSWORD '"));
  EXPECT_THAT(EnsureAlternateRoleScript("b", "", kVerifier, kTimeouts),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(RoleSqlTest, ParsesTheFirstErrorsSqlState) {
  EXPECT_EQ(ParseScriptError(""), std::nullopt);
  EXPECT_EQ(ParseScriptError("secretsync-role:true:false:x\n"), std::nullopt);
  EXPECT_EQ(ParseScriptError("secretsync-sqlstate 55P03\n"), "55P03");
  EXPECT_EQ(ParseScriptError("SET\nsecretsync-sqlstate 42501\n"), "42501");
  EXPECT_EQ(ParseScriptError("secretsync-sqlstate :SQLSTATE\n"), "");  // psql before 12
  EXPECT_EQ(ParseScriptError("secretsync-sqlstate \n"), "");
}

TEST(RoleSqlTest, StoredRoleScriptAndParser) {
  auto script = StoredVerifierScript("o'brien", kTimeouts);
  ASSERT_THAT(script, IsOk());
  EXPECT_THAT(*script, HasSubstr(kTimeoutsSql));
  EXPECT_THAT(*script, HasSubstr(absl::StrCat("WHERE rolname = 'o''brien'", kCheck)));
  auto none = ParseStoredRole("");
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->found);
  auto role = ParseStoredRole(std::string("secretsync-role:true:false:") + kVerifier + "\n");
  ASSERT_THAT(role, IsOk());
  EXPECT_TRUE(role->found);
  EXPECT_TRUE(role->can_login);
  EXPECT_FALSE(role->expired);
  EXPECT_EQ(role->password, kVerifier);
  role = ParseStoredRole("secretsync-role:false:true:\n");
  ASSERT_THAT(role, IsOk());
  EXPECT_FALSE(role->can_login);
  EXPECT_TRUE(role->expired);
  EXPECT_EQ(role->password, "");
  EXPECT_THAT(ParseStoredRole("secretsync-role:yes:no:x"),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("yes"))));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

// SQLSTATE mapping and libpq connection-error parsing, table-driven.
#include "lib/postgres/pg_error.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PgErrorTest, MapsSqlStates) {
  struct Case {
    const char* state;
    absl::StatusCode code;
  } cases[] = {
      {"28P01", absl::StatusCode::kUnauthenticated},
      {"28000", absl::StatusCode::kPermissionDenied},
      {"42501", absl::StatusCode::kPermissionDenied},
      {"3D000", absl::StatusCode::kNotFound},
      {"42704", absl::StatusCode::kNotFound},
      {"42710", absl::StatusCode::kAlreadyExists},
      {"55000", absl::StatusCode::kFailedPrecondition},
      {"08006", absl::StatusCode::kUnavailable},
      {"57P03", absl::StatusCode::kUnavailable},
      {"53300", absl::StatusCode::kUnavailable},
      // The server's own timeouts and cancels rolled back: not "may have
      // committed" (DeadlineExceeded/Unavailable).
      {"57014", absl::StatusCode::kAborted},
      {"55P03", absl::StatusCode::kAborted},
      {"40P01", absl::StatusCode::kAborted},
      {"", absl::StatusCode::kUnavailable},
      {"42601", absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) EXPECT_EQ(CodeForSqlState(c.state), c.code) << c.state;
}

TEST(PgErrorTest, ParsesVerboseServerErrorAfterLibpqPrefix) {
  ParsedConnectError e = ParseConnectError(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password "
      "authentication failed for user \"glitchtip_maintainer\"\nLOCATION:  auth_failed, "
      "auth.c:323\n");
  EXPECT_EQ(e.sqlstate, "28P01");
  EXPECT_EQ(e.message, "password authentication failed for user \"glitchtip_maintainer\"");
}

TEST(PgErrorTest, ParsesTransportErrorWithoutSqlState) {
  ParsedConnectError e = ParseConnectError(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
      "\tIs the server running on that host and accepting TCP/IP connections?\n");
  EXPECT_EQ(e.sqlstate, "");
  EXPECT_EQ(e.message, "connection to server at \"127.0.0.1\", port 1 failed: Connection refused");
}

TEST(PgErrorTest, RedactsSecretsAndKeepsOneLine) {
  absl::Status s = PgError("postgres h:1 role r", "08001",
                           "bad password=CANARY-pg-1 here\nsecond line CANARY-pg-1",
                           {"CANARY-pg-1", ""});
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                          "postgres h:1 role r: bad password=<redacted> here (SQLSTATE 08001)"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("CANARY")));
  EXPECT_THAT(PgError("ctx", "", ""), StatusIs(absl::StatusCode::kUnavailable, "ctx: no message"));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

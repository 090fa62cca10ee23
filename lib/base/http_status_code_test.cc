// The HTTP status table, row by row.
#include "lib/base/http_status_code.h"

#include "gtest/gtest.h"

namespace secretsync {
namespace {

struct Row {
  int http_status;
  absl::StatusCode code;
};

TEST(HttpStatusCodeTest, MapsEveryRowOfTheTable) {
  const Row rows[] = {
      {200, absl::StatusCode::kOk},
      {204, absl::StatusCode::kOk},
      {301, absl::StatusCode::kUnknown},
      {400, absl::StatusCode::kInvalidArgument},
      {401, absl::StatusCode::kUnauthenticated},
      {403, absl::StatusCode::kPermissionDenied},
      {404, absl::StatusCode::kNotFound},
      {409, absl::StatusCode::kAlreadyExists},
      {413, absl::StatusCode::kResourceExhausted},
      {418, absl::StatusCode::kUnknown},
      {422, absl::StatusCode::kInvalidArgument},
      {429, absl::StatusCode::kResourceExhausted},
      {500, absl::StatusCode::kUnavailable},
      {503, absl::StatusCode::kUnavailable},
      {599, absl::StatusCode::kUnavailable},
      {600, absl::StatusCode::kUnknown},
      {0, absl::StatusCode::kUnknown},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(StatusCodeFromHttp(row.http_status), row.code) << "HTTP " << row.http_status;
  }
}

}  // namespace
}  // namespace secretsync

// ServerTimeouts: the client timeout split so that the server gives up first.
#include "lib/postgres/server_timeouts.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace postgres {

absl::StatusOr<ServerTimeouts> ServerTimeoutsFor(absl::Duration client_timeout) {
  if (client_timeout < kMinClientTimeout || client_timeout == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("postgres client timeout ", absl::FormatDuration(client_timeout),
                     " must be finite and at least ", absl::FormatDuration(kMinClientTimeout)));
  }
  const int64_t ms = absl::ToInt64Milliseconds(client_timeout);
  return ServerTimeouts{absl::Milliseconds(ms / 4), absl::Milliseconds(ms / 2)};
}

std::vector<std::string> ServerTimeoutsStatements(const ServerTimeouts& t) {
  return {absl::StrCat("SET lock_timeout = '", absl::ToInt64Milliseconds(t.lock_timeout), "ms'"),
          absl::StrCat("SET statement_timeout = '", absl::ToInt64Milliseconds(t.statement_timeout),
                       "ms'")};
}

std::string ServerTimeoutsSql(const ServerTimeouts& t) {
  std::string out;
  for (const std::string& s : ServerTimeoutsStatements(t)) absl::StrAppend(&out, s, ";\n");
  return out;
}

}  // namespace postgres
}  // namespace secretsync

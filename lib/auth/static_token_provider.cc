// NewServiceTokenProvider (see static_token_provider.h).
#include "lib/auth/static_token_provider.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace auth {

absl::StatusOr<std::unique_ptr<StaticTokenProvider>> NewServiceTokenProvider(
    const SecretValue& service_token) {
  std::vector<absl::string_view> parts = absl::StrSplit(service_token.Expose(), '.');
  if (parts.size() < 3 || parts[0] != "st" || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(
        "auth.service_token: not a service token (expected st.<id>.<secret>[.<key>])");
  }
  SecretValue token(absl::StrJoin(parts.begin(), parts.begin() + 3, "."));
  return std::make_unique<StaticTokenProvider>(std::move(token));
}

}  // namespace auth
}  // namespace secretsync

// ApiResponse header lookup.
#include "lib/devserver/api_message.h"

#include "absl/strings/match.h"

namespace secretsync {
namespace devserver {

std::string ApiResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

}  // namespace devserver
}  // namespace secretsync

// IsEnvName / ValidateEnvName.
#include "lib/dotenv/env_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace dotenv {

bool IsEnvName(absl::string_view name) {
  bool ok = !name.empty() && (absl::ascii_isalpha(name[0]) || name[0] == '_');
  for (char c : name) ok = ok && (absl::ascii_isalnum(c) || c == '_');
  return ok;
}

absl::Status ValidateEnvName(absl::string_view name) {
  if (IsEnvName(name)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid environment variable name \"", absl::CHexEscape(name),
                   "\": must match ^[A-Za-z_][A-Za-z0-9_]*$"));
}

}  // namespace dotenv
}  // namespace secretsync

// Environment implementations.
#include "lib/base/environment.h"

#include <cstdlib>

namespace secretsync {

std::optional<std::string> RealEnvironment::Get(absl::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> MapEnvironment::Get(absl::string_view name) const {
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace secretsync

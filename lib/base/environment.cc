// Environment implementations.
#include "lib/base/environment.h"

#include <cstdlib>

extern char** environ;

namespace secretsync {

std::optional<std::string> RealEnvironment::Get(absl::string_view name) const {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::vector<std::string> RealEnvironment::Names() const {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view kv(*e);
    names.emplace_back(kv.substr(0, kv.find('=')));
  }
  return names;
}

std::vector<std::string> MapEnvironment::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : vars_) names.push_back(name);
  return names;
}

std::optional<std::string> MapEnvironment::Get(absl::string_view name) const {
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace secretsync

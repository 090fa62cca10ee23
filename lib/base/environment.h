// Environment seam: reading environment variables (ScopedEnv-free tests).
#ifndef SECRETSYNC_LIB_BASE_ENVIRONMENT_H_
#define SECRETSYNC_LIB_BASE_ENVIRONMENT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace secretsync {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value, or nullopt when unset.
  virtual std::optional<std::string> Get(absl::string_view name) const = 0;
  // The names of every variable set, in no particular order.
  virtual std::vector<std::string> Names() const = 0;
};

// The process environment (getenv). Thread-compatible.
class RealEnvironment : public Environment {
 public:
  std::optional<std::string> Get(absl::string_view name) const override;
  std::vector<std::string> Names() const override;
};

// A fixed map, for tests.
class MapEnvironment : public Environment {
 public:
  explicit MapEnvironment(std::map<std::string, std::string> vars = {}) : vars_(std::move(vars)) {}
  std::optional<std::string> Get(absl::string_view name) const override;
  std::vector<std::string> Names() const override;
  void Set(absl::string_view name, absl::string_view value) {
    vars_[std::string(name)] = std::string(value);
  }

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_ENVIRONMENT_H_

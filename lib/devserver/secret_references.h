// Secret references inside values (`${KEY}`, `${env.a.b.KEY}`): parsing and
// server-side expansion with Infisical's rules (docs/infisical-api.md section 6).
#ifndef SECRETSYNC_LIB_DEVSERVER_SECRET_REFERENCES_H_
#define SECRETSYNC_LIB_DEVSERVER_SECRET_REFERENCES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace secretsync {
namespace devserver {

// Infisical stops expanding nested references at this depth.
inline constexpr int kMaxReferenceDepth = 10;

// One `${...}` occurrence, resolved against the folder of the secret holding it.
struct SecretReference {
  std::string text;         // as written, e.g. "${prod.db.PASSWORD}"
  std::string environment;  // "prod"
  std::string path;         // "/db"
  std::string key;          // "PASSWORD"
};

// All references in `value`, in order. `${KEY}` resolves in (environment,
// path); `${env.KEY}` in (env, "/"); `${env.a.b.KEY}` in (env, "/a/b").
// Only `[a-zA-Z0-9_.-]+` between the braces makes a reference.
std::vector<SecretReference> FindReferences(absl::string_view value, absl::string_view environment,
                                            absl::string_view path);

// Returns the stored value of (environment, path, key), or nullopt when that
// secret does not exist.
using SecretLookup = std::function<std::optional<std::string>(
    const std::string& environment, const std::string& path, const std::string& key)>;

// Replaces each reference with the referenced value, itself expanded in its own
// folder, up to kMaxReferenceDepth levels. A reference to a missing or empty
// secret, one past the depth limit, and one closing a cycle stay literal.
std::string ExpandReferences(absl::string_view value, absl::string_view environment,
                             absl::string_view path, const SecretLookup& lookup);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_SECRET_REFERENCES_H_

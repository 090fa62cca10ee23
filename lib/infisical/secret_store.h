// SecretStore: the abstract secret backend sync, rotate and keygen --push use.
// Implemented by InfisicalClient (HTTP) and FakeSecretStore (in memory, tests).
#ifndef SECRETSYNC_LIB_INFISICAL_SECRET_STORE_H_
#define SECRETSYNC_LIB_INFISICAL_SECRET_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/secret_value.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace infisical {

// Which secrets: one project, environment and folder.
struct SecretScope {
  std::string project_id;    // used when set
  std::string project_slug;  // used when project_id is empty
  std::string environment;   // e.g. "prod"
  std::string secret_path = "/";
  bool include_imports = false;
  bool expand_references = false;
  bool recursive = false;
};

// The one place a deployment config becomes a scope: its project,
// environment, path (default "/"), include_imports and expand_references.
SecretScope ScopeFromConfig(const v1::DeploymentConfig& config);

// One secret as read from the store. Move-only (holds a SecretValue).
struct SecretRecord {
  std::string name;
  SecretValue value;
  int64_t version = 0;
  std::string comment;
  std::string environment;
  std::string secret_path;
  absl::Time updated_at = absl::InfinitePast();  // InfinitePast when unknown
};

// Thread-compatible: one caller at a time unless an implementation says more.
class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Every secret visible in `scope`, one per name, sorted by name. With imports,
  // the folder's own secrets win over imported ones and later imports win over
  // earlier ones (as Infisical's CLI merges them). An unknown folder gives an
  // empty list. Errors: Unauthenticated/PermissionDenied, NotFound (unknown
  // project or environment), Unavailable/DeadlineExceeded/ResourceExhausted
  // (after retries), InvalidArgument (malformed server reply).
  virtual absl::StatusOr<std::vector<SecretRecord>> List(const SecretScope& scope) = 0;

  // One secret by name. NotFound when it does not exist; other errors as List.
  virtual absl::StatusOr<SecretRecord> Get(const SecretScope& scope, absl::string_view name) = 0;

  // Creates a secret; AlreadyExists when the name is taken (nothing changes).
  virtual absl::Status Create(const SecretScope& scope, absl::string_view name,
                              const SecretValue& value, absl::string_view comment) = 0;

  // Replaces an existing secret's value (version + 1); NotFound when missing.
  virtual absl::Status Update(const SecretScope& scope, absl::string_view name,
                              const SecretValue& value) = 0;

  // Deletes a secret; NotFound when missing.
  virtual absl::Status Delete(const SecretScope& scope, absl::string_view name) = 0;
};

// Forwards every call to another store it does not own. Subclasses add
// ownership (of a transport, an auth provider, ...) or observation; the
// target must outlive this object.
class ForwardingSecretStore : public SecretStore {
 public:
  explicit ForwardingSecretStore(SecretStore& target) : target_(target) {}
  absl::StatusOr<std::vector<SecretRecord>> List(const SecretScope& scope) override {
    return target_.List(scope);
  }
  absl::StatusOr<SecretRecord> Get(const SecretScope& scope, absl::string_view name) override {
    return target_.Get(scope, name);
  }
  absl::Status Create(const SecretScope& scope, absl::string_view name, const SecretValue& value,
                      absl::string_view comment) override {
    return target_.Create(scope, name, value, comment);
  }
  absl::Status Update(const SecretScope& scope, absl::string_view name,
                      const SecretValue& value) override {
    return target_.Update(scope, name, value);
  }
  absl::Status Delete(const SecretScope& scope, absl::string_view name) override {
    return target_.Delete(scope, name);
  }

 private:
  SecretStore& target_;
};

// Builds the store a deployment config describes (main() wires the real one;
// tests return a FakeSecretStore). No network I/O happens while building.
using SecretStoreFactory = std::function<absl::StatusOr<std::unique_ptr<SecretStore>>(
    const secretsync::v1::DeploymentConfig&)>;

}  // namespace infisical
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_INFISICAL_SECRET_STORE_H_

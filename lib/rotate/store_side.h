// The secret-store side of a rotation: the current value of one secret, its
// pending copy (<NAME>__PENDING) and the promotion of a new value.
#ifndef SECRETSYNC_LIB_ROTATE_STORE_SIDE_H_
#define SECRETSYNC_LIB_ROTATE_STORE_SIDE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {
namespace rotate {

// The name of the pending copy of `secret_name`.
std::string PendingName(absl::string_view secret_name);

// One secret's values in a SecretStore it does not own (which must outlive
// it). Errors are the store's, annotated with the operation and the secret's
// name (never a value). Not thread-safe.
class StoreSide {
 public:
  StoreSide(infisical::SecretStore& store, infisical::SecretScope scope, std::string secret_name);

  const std::string& name() const { return name_; }
  // The secret's value. NotFound when it does not exist.
  absl::StatusOr<SecretValue> Current();
  // The pending copy, or nullopt when there is none.
  absl::StatusOr<std::optional<SecretValue>> Pending();
  // Creates or replaces the pending copy. Safe to repeat.
  absl::Status StorePending(const SecretValue& value);
  // Makes `value` the secret's value (creating the secret if missing). Safe
  // to repeat.
  absl::Status Promote(const SecretValue& value);
  // Deletes the pending copy; a missing one is fine. Safe to repeat.
  absl::Status DeletePending();

 private:
  absl::Status Put(absl::string_view name, const SecretValue& value);

  infisical::SecretStore& store_;
  infisical::SecretScope scope_;
  std::string name_;
};

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_STORE_SIDE_H_

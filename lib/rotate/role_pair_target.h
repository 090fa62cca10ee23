// RolePairTarget: the two PostgreSQL roles of an alternating-users rotation,
// as its step machine sees them.
#ifndef SECRETSYNC_LIB_ROTATE_ROLE_PAIR_TARGET_H_
#define SECRETSYNC_LIB_ROTATE_ROLE_PAIR_TARGET_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace rotate {

// The configured role (primary) and its alternate. Not thread-safe. Errors
// name the roles and the server, never a value.
class RolePairTarget {
 public:
  virtual ~RolePairTarget() = default;
  virtual const std::string& primary() const = 0;
  virtual const std::string& alternate() const = 0;
  // Where the roles live, for messages and logs.
  virtual std::string Describe() const = 0;
  // OK when `role` logs in with `password` now. Unauthenticated when it is
  // refused (a missing role too); Unavailable/DeadlineExceeded when the
  // server cannot be reached; others when it cannot tell.
  virtual absl::Status CanLogIn(absl::string_view role, const SecretValue& password) = 0;
  // Sets the password of `role` (primary or alternate), never touching the
  // other role's. The alternate is created with the primary's grants when
  // missing. Safe to repeat. After an error the password may or may not have
  // changed: probe with CanLogIn.
  virtual absl::Status SetPassword(absl::string_view role, const SecretValue& password) = 0;
};

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ROLE_PAIR_TARGET_H_

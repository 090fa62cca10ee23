// PasswordTarget: where a rotated password takes effect (a PostgreSQL role),
// as the rotation step machine sees it.
#ifndef SECRETSYNC_LIB_ROTATE_PASSWORD_TARGET_H_
#define SECRETSYNC_LIB_ROTATE_PASSWORD_TARGET_H_

#include <string>

#include "absl/status/status.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace rotate {

// Not thread-safe. Errors name the target, never a value.
class PasswordTarget {
 public:
  virtual ~PasswordTarget() = default;
  // What the target is, for messages and logs ("postgres role r at h:p").
  virtual std::string Describe() const = 0;
  // OK when `password` logs in now. Unauthenticated when it is refused;
  // Unavailable/DeadlineExceeded when the target cannot be reached; others
  // (PermissionDenied, NotFound, FailedPrecondition) when it cannot tell.
  virtual absl::Status CanLogIn(const SecretValue& password) = 0;
  // Sets the password to `next`; `current` is the one that logs in now (a
  // target logging in as the rotated role needs it). Safe to repeat. After
  // an error the password may or may not have changed: probe with CanLogIn.
  virtual absl::Status Apply(const SecretValue& current, const SecretValue& next) = 0;
};

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_PASSWORD_TARGET_H_

// What rotate reads besides the config: the new value of an externally
// issued secret, and the template (to check an alternating-users setup).
#ifndef SECRETSYNC_LIB_ROTATE_ROTATE_INPUTS_H_
#define SECRETSYNC_LIB_ROTATE_ROTATE_INPUTS_H_

#include <istream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/environment.h"
#include "lib/base/filesystem.h"
#include "lib/base/secret_value.h"
#include "lib/config/deployment.h"

namespace secretsync {
namespace rotate {

// The new value from `path`: "-" reads `in` (at most 64 KiB; InvalidArgument
// beyond), any other path a file under the credential files' rule
// (auth::ReadCredential: regular, not a link, 0600, owned by the running
// user, else exit 78 naming the fix; missing: NotFound). One trailing
// newline is removed; an empty value is InvalidArgument. Messages name the
// path, never the value.
absl::StatusOr<SecretValue> ReadValueFile(const std::string& path, const Environment& env,
                                          std::istream& in);

// Alternating users switch the role through rotation.user_secret: OK when
// the template renders it, else FailedPrecondition tagged exit 78 naming the
// secret and the template (the .env would pair the old role with the new
// role's password). Errors reading or parsing the template otherwise.
absl::Status CheckTemplateRendersUser(const config::Deployment& d, Filesystem& fs);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ROTATE_INPUTS_H_

// Reads a credential (client id/secret, token) from an environment variable,
// a file, or a systemd credential, as DeploymentConfig.auth describes.
#ifndef SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_
#define SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/environment.h"
#include "lib/base/secret_value.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace auth {

// Reads the credential `source`, whose config field is named `field` (e.g.
// "auth.universal_auth.client_secret") in messages. One trailing newline
// ("\n" or "\r\n") is removed. A file (or systemd credential) must be a
// regular file (not a symbolic link, FIFO or device: it is opened with
// O_NOFOLLOW|O_NONBLOCK, never blocking), owned by the running user and not
// readable or writable by group or others.
// Errors (messages name the variable or file, never the value):
//   FailedPrecondition tagged exit 78 (a deployment config problem): no source
//     set; environment variable unset; systemd credential name not plain or
//     $CREDENTIALS_DIRECTORY unset; file a symbolic link, not a regular file,
//     accessible by group/others ("chmod 600 <file>") or owned by another
//     user ("chown <user> <file>").
//   NotFound (66): the file does not exist.
//   InvalidArgument (65): the credential is empty, or the file is over 64 KiB.
//   PermissionDenied (77): the file cannot be opened for reading.
//   Internal tagged exit 74: another I/O error.
absl::StatusOr<SecretValue> ReadCredential(const v1::CredentialSource& source,
                                           absl::string_view field, const Environment& env);

// The owner rule of the files above, for other private files and folders
// (rotate's state folder): OK when `owner` is the running user (geteuid()),
// else FailedPrecondition tagged exit 78: "<what> belongs to <user>, not to
// the running user <user>: run chown <user> <path>".
absl::Status CheckRunningUserOwns(uid_t owner, absl::string_view what, absl::string_view path);

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_

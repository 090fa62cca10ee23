// Reads a credential (client id/secret, token) from an environment variable,
// a file, or a systemd credential, as DeploymentConfig.auth describes.
#ifndef SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_
#define SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_

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
// regular file not readable or writable by group or others.
// Errors (messages name the variable or file, never the value):
//   FailedPrecondition: no source set; file readable by group/others ("chmod
//     600 <file>"); $CREDENTIALS_DIRECTORY unset for a systemd credential.
//   NotFound: environment variable unset; file missing.
//   InvalidArgument: the credential is empty.
//   PermissionDenied / Internal: the file cannot be read.
absl::StatusOr<SecretValue> ReadCredential(const v1::CredentialSource& source,
                                           absl::string_view field, const Environment& env);

}  // namespace auth
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AUTH_CREDENTIAL_SOURCE_H_

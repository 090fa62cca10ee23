// Reads what gRPC knows about a caller (certificate SANs, bearer token) into
// a CallerInfo for CallerAuthenticator.
#ifndef SECRETSYNC_LIB_AGENT_GRPC_CALLER_H_
#define SECRETSYNC_LIB_AGENT_GRPC_CALLER_H_

#include <grpcpp/server_context.h>

#include "lib/agent/caller_auth.h"

namespace secretsync {
namespace agent {

// `tls` is true when the transport is TLS ("ssl" or "tls") and the peer presented a verified
// certificate; `sans` are its x509_subject_alternative_name values; the token
// comes from an "authorization: Bearer <token>" header (case-insensitive
// scheme). Never fails: a missing part is simply absent.
CallerInfo CallerInfoFromContext(const grpc::ServerContextBase& context);

}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_AGENT_GRPC_CALLER_H_

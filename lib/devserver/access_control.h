// Who is calling and what they may touch: bearer tokens (identity access
// tokens and legacy service tokens), project/environment/folder resolution
// and Infisical's permission checks, each failing with Infisical's reply.
#ifndef SECRETSYNC_LIB_DEVSERVER_ACCESS_CONTROL_H_
#define SECRETSYNC_LIB_DEVSERVER_ACCESS_CONTROL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/devserver/access_token.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {
namespace internal {

enum class Action { kRead, kCreate, kEdit, kDelete };

// Exactly one of the two is set; both point into the store and live until
// its next mutation.
struct Caller {
  const secretsync::v1::DevIdentity* identity = nullptr;
  const secretsync::v1::DevServiceToken* service_token = nullptr;
};

// A project, environment and normalized folder path a request acts on.
struct Target {
  const secretsync::v1::DevProject* project = nullptr;
  std::string env;
  std::string path;
};

// The 403 TokenError for a bad bearer or body token; OK for kValid.
absl::Status RejectedToken(TokenVerdict verdict);

// The caller behind the Authorization header of `req` (`route` names the
// path in the 403 a service token gets where it is not accepted). 401
// "Token missing" / invalid service token; 403 TokenError for a malformed,
// forged or expired JWT; 401 once a token's TTL, max TTL or use limit ran
// out (the token is then deleted, as the real server does). Counts one use
// of an identity access token.
absl::StatusOr<Caller> Authenticate(ApiContext& ctx, const ApiRequest& req,
                                    bool allow_service_token, const std::string& route);

// 403 PermissionDenied "You are not allowed to <action> on secrets" unless
// the caller may `action` secrets in project/env/path.
absl::Status CheckAccess(const Caller& caller, const secretsync::v1::DevProject& project,
                         const std::string& env, const std::string& path, Action action);
// 403 PermissionDenied unless the caller belongs to the project.
absl::Status CheckProjectRead(const Caller& caller, const secretsync::v1::DevProject& project);

// The project named by id, else by slug, else a service token's own.
// 404 for an unknown id; for an unknown slug 500 with error "Failed to find
// project by slug", as the October 2024 server answers; 400 when none is given.
absl::StatusOr<const secretsync::v1::DevProject*> ResolveProject(ApiContext& ctx,
                                                                 const Caller& caller,
                                                                 const std::string& id,
                                                                 const std::string& slug);

// ResolveProject, then 404 for an unknown environment, then CheckAccess.
absl::StatusOr<Target> ResolveTarget(ApiContext& ctx, const Caller& caller, const std::string& id,
                                     const std::string& slug, const std::string& env,
                                     const std::string& path, Action action);

// Whether a secret path pattern holds glob characters (picomatch syntax).
bool HasGlob(absl::string_view pattern);

// Whether the normalized folder `path` matches `pattern`: a picomatch glob
// ("*" within a segment, "**" across) when it has glob characters, else the
// same path. Service-token scopes and webhooks filter with it.
bool SecretPathMatches(absl::string_view pattern, absl::string_view path);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_ACCESS_CONTROL_H_

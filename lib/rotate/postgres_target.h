// The PostgreSQL PasswordTarget a deployment config describes: libpq as the
// rotated role (default) or as an admin, or the exec route (psql on stdin).
#ifndef SECRETSYNC_LIB_ROTATE_POSTGRES_TARGET_H_
#define SECRETSYNC_LIB_ROTATE_POSTGRES_TARGET_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/app/system.h"
#include "lib/rotate/password_target.h"
#include "lib/rotate/role_pair_target.h"
#include "proto/config.pb.h"

namespace secretsync {
namespace rotate {

// The exec route's environment: PATH, HOME, USER, LOGNAME, LANG, LC_*, TZ,
// DOCKER_*, COMPOSE_* and PG* (but not PGPASSWORD) of `env`; nothing else
// (Infisical credentials above all) reaches the command.
std::map<std::string, std::string> ExecEnvironment(const Environment& env);

// Builds the target for `role` from `config.postgres` (defaults: 127.0.0.1,
// 5432, database postgres, sslmode prefer, 10 s connect timeout). With
// exec_command, every operation runs that command (its login must be a
// superuser, to read pg_authid for the login probe); with admin, ALTER ROLE
// runs as the admin, whose password is read here; otherwise as `role` with
// its current password. No connection is made while building. Errors:
// FailedPrecondition (no `postgres` section, bad role name, admin without
// user) and those of ReadCredential for the admin's password. Holds
// references to sys's parts.
absl::StatusOr<std::unique_ptr<PasswordTarget>> MakePostgresTarget(
    const v1::DeploymentConfig& config, absl::string_view role, System& sys);

// Alternating users: the pair (`primary`, `alternate`) from `config.postgres`,
// as MakePostgresTarget. Setting the alternate's password runs
// EnsureAlternateRole (creates it as a member of the primary, refused when the
// primary is a superuser); the primary's, SetPassword. Both need a login that
// may create roles, so this needs postgres.admin or exec_command
// (FailedPrecondition otherwise, and for a bad role name or alternate equal to
// primary). No connection is made while building. Holds references to sys's
// parts.
absl::StatusOr<std::unique_ptr<RolePairTarget>> MakePostgresRolePair(
    const v1::DeploymentConfig& config, absl::string_view primary, absl::string_view alternate,
    System& sys);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_POSTGRES_TARGET_H_

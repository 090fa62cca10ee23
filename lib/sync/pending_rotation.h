// The pending-rotation guard of the sync core: while a rotation of a secret
// the template renders is unfinished, Infisical may hold a half-switched
// value (alternating users: one role with the other role's password), so a
// plain sync keeps the existing .env instead of rendering it.
#ifndef SECRETSYNC_LIB_SYNC_PENDING_ROTATION_H_
#define SECRETSYNC_LIB_SYNC_PENDING_ROTATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/config/deployment.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {
namespace sync {

// Why a rotation of `name` is pending in this deployment ("journal <path>",
// "<NAME>__PENDING exists in Infisical"), or nullopt when none is: the
// deployment's rotation journal for the name exists (config::
// RotationJournalPath, or the old-style path), or `<NAME>__PENDING` is among
// `secrets`. A journal in a state folder this user may not search (root's
// 0700 folder, seen from the agent's user) is not seen; the __PENDING secret,
// staged before anything changes and deleted last, still is. Other errors of
// `fs` (Stat). Reads nothing but the journal's metadata.
absl::StatusOr<std::optional<std::string>> PendingRotationReason(
    const config::Deployment& d, absl::string_view name,
    const std::vector<infisical::SecretRecord>& secrets, Filesystem& fs);

// OK when no rotation is pending for any of `referenced` (the names the
// template renders), as PendingRotationReason tells from `secrets` (the
// records just fetched; no extra request). Else FailedPrecondition tagged
// exit 80, naming the secret and the reason and telling to run
// rotate --resume. Errors of `fs` (Stat) otherwise. Changes nothing.
absl::Status CheckNoRotationPending(const config::Deployment& d,
                                    const std::vector<std::string>& referenced,
                                    const std::vector<infisical::SecretRecord>& secrets,
                                    Filesystem& fs);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_PENDING_ROTATION_H_

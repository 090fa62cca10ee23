// Who owns the files a sync creates in a deployment folder (the lock, the
// on-change marker and name list, .env, .env.bak and their temp files).
#ifndef SECRETSYNC_LIB_SYNC_FILE_OWNER_H_
#define SECRETSYNC_LIB_SYNC_FILE_OWNER_H_

#include "lib/base/filesystem.h"
#include "lib/config/deployment.h"

namespace secretsync {
namespace sync {

// The configured owner and group; for an id not configured, the folder's
// (the folder of output_path), or -1 when the folder cannot be read. The
// folder's owner is the deployment's owner: a root run gives it every file it
// creates there, so that the owner's own runs (the agent's user) can lock,
// read and replace them later. Never fails.
FileOwner DeploymentFileOwner(const config::Deployment& d, Filesystem& fs);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_FILE_OWNER_H_

// The rotation state folder of one deployment (config::RotationStateDir),
// opened under the deployment's lock before any journal is read or written.
#ifndef SECRETSYNC_LIB_ROTATE_STATE_FOLDER_H_
#define SECRETSYNC_LIB_ROTATE_STATE_FOLDER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/config/deployment.h"

namespace secretsync {
namespace rotate {

// Creates the folder (0700) when missing. Refuses (FailedPrecondition) a
// path that is a link or not a folder, a folder writable by group or others,
// and (tagged exit 78, auth::CheckRunningUserOwns's rule) one owned by
// another user than the running one: the journals in it hold passwords.
// Then, for each of `secret_names`: removes the temp files a crash left
// during an atomic write of its journal (failing to remove one is logged,
// not an error), and refuses
// (FailedPrecondition, exit 80) an old-style journal
// (config::LegacyRotationJournalPath), naming it and the path to move it to.
// Errors from `fs` otherwise. Call it holding the deployment's lock.
absl::Status OpenStateFolder(Filesystem& fs, const config::Deployment& d,
                             const std::vector<std::string>& secret_names, LogSink& log);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_STATE_FOLDER_H_

// The flags of //tools:sync (defined only here, beside its main()).
#ifndef SECRETSYNC_TOOLS_SYNC_FLAGS_H_
#define SECRETSYNC_TOOLS_SYNC_FLAGS_H_

#include "lib/sync/sync_command.h"

namespace secretsync {

// The parsed --flags as options for RunSync.
sync::SyncOptions SyncOptionsFromFlags();

}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_SYNC_FLAGS_H_

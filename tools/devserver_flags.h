// The flags of //tools:devserver (defined only here, beside its main()).
#ifndef SECRETSYNC_TOOLS_DEVSERVER_FLAGS_H_
#define SECRETSYNC_TOOLS_DEVSERVER_FLAGS_H_

#include "lib/devserver/devserver_command.h"

namespace secretsync {

// The parsed --flags as options for RunDevServer.
devserver::DevServerOptions DevServerOptionsFromFlags();

}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_DEVSERVER_FLAGS_H_

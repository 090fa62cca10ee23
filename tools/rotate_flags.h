// The flags of //tools:rotate (defined only here, beside its main()).
#ifndef SECRETSYNC_TOOLS_ROTATE_FLAGS_H_
#define SECRETSYNC_TOOLS_ROTATE_FLAGS_H_

#include "lib/rotate/rotate_command.h"

namespace secretsync {

// The parsed --flags as options for RunRotate.
rotate::RotateOptions RotateOptionsFromFlags();

}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_ROTATE_FLAGS_H_

// The flags of //tools:keygen (defined only here, beside its main()).
#ifndef SECRETSYNC_TOOLS_KEYGEN_FLAGS_H_
#define SECRETSYNC_TOOLS_KEYGEN_FLAGS_H_

#include "lib/keygen/keygen_command.h"

namespace secretsync {

// The parsed --flags as options for RunKeygen.
keygen::KeygenOptions KeygenOptionsFromFlags();

}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_KEYGEN_FLAGS_H_

// The fanout binary's flags (defined in fanout_flags.cc, beside main).
#ifndef SECRETSYNC_TOOLS_FANOUT_FLAGS_H_
#define SECRETSYNC_TOOLS_FANOUT_FLAGS_H_

#include "lib/fanout/fanout_command.h"

namespace secretsync {
namespace fanout {

// Reads the parsed --flags into options.
FanoutOptions FanoutOptionsFromFlags();

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_FANOUT_FLAGS_H_

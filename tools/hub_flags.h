// The hub binary's flags (defined in hub_flags.cc, beside main).
#ifndef SECRETSYNC_TOOLS_HUB_FLAGS_H_
#define SECRETSYNC_TOOLS_HUB_FLAGS_H_

#include "lib/hub/hub_command.h"

namespace secretsync {
namespace hub {

// Reads the parsed --flags into options.
HubOptions HubOptionsFromFlags();

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_TOOLS_HUB_FLAGS_H_

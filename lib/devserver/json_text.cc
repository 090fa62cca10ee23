// Compact JSON printing that cannot throw.
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

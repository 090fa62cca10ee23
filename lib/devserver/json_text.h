// The JSON type of the dev server's bodies and how they are printed: keys in
// insertion order (Infisical's field order), compact, invalid UTF-8 replaced.
#ifndef SECRETSYNC_LIB_DEVSERVER_JSON_TEXT_H_
#define SECRETSYNC_LIB_DEVSERVER_JSON_TEXT_H_

#include <string>

#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace internal {

using Json = nlohmann::ordered_json;

// `j` as compact text; never throws (bytes that are not UTF-8 become U+FFFD).
std::string Dump(const Json& j);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_JSON_TEXT_H_

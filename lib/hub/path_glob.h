// The secret-path globs of hub routes, with picomatch-like semantics on
// Infisical folder paths ("/", "/apps/web").
#ifndef SECRETSYNC_LIB_HUB_PATH_GLOB_H_
#define SECRETSYNC_LIB_HUB_PATH_GLOB_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace hub {

// "/a/b/" and "a/b" become "/a/b"; "" and "/" become "/"; repeated slashes
// collapse (Infisical ignores trailing slashes).
std::string NormalizeSecretPath(absl::string_view path);

// OK when `glob` is usable: it starts with '/', and "**" only appears as a
// whole segment. INVALID_ARGUMENT naming the problem otherwise.
absl::Status CheckPathGlob(absl::string_view glob);

// Matches the normalized `path` against the normalized `glob`, segment by
// segment: '*' matches any run of characters within one segment (none is
// '/'), '?' one character, a "**" segment any number of segments (zero
// included, so "/**" matches "/" and "/apps/**" matches "/apps"). Everything
// else matches itself: there are no character classes or braces, and a
// leading '.' is not special. Case-sensitive. A path of more than 64
// segments matches nothing.
bool MatchPathGlob(absl::string_view glob, absl::string_view path);

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_PATH_GLOB_H_

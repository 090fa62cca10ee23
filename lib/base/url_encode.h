// Percent-encoding (RFC 3986): used for URL query values and path segments
// and by the template's `urlencode` filter.
#ifndef SECRETSYNC_LIB_BASE_URL_ENCODE_H_
#define SECRETSYNC_LIB_BASE_URL_ENCODE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace secretsync {

// Keeps RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and encodes every
// other byte as %XX (upper-case hex), so base64's + / = come out as %2B %2F %3D.
std::string UrlEncode(absl::string_view in);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_URL_ENCODE_H_

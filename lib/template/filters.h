// Filters usable in template references: `${NAME | base64 | urlencode}`.
#ifndef SECRETSYNC_LIB_TEMPLATE_FILTERS_H_
#define SECRETSYNC_LIB_TEMPLATE_FILTERS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace secretsync {
namespace tmpl {

// The filters, each a pure byte transformation:
//   urlencode  RFC 3986: unreserved `A-Z a-z 0-9 - . _ ~` kept, every other
//              byte as %XX (uppercase), so base64's `+ / =` are encoded
//   base64     RFC 4648 standard alphabet with `=` padding
//   base64url  RFC 4648 URL-safe alphabet, no padding
//   json       JSON string escaping without the surrounding quotes
//   trim       strips ASCII whitespace at both ends
//   upper      ASCII upper case (other bytes unchanged)
//   lower      ASCII lower case (other bytes unchanged)
bool IsKnownFilter(absl::string_view name);
// Names of all filters, for error messages.
const std::vector<std::string>& FilterNames();
// Applies filter `name` to `in`. Precondition: IsKnownFilter(name) (checked).
// The result holds secret bytes: callers move it into a SecretValue at once.
std::string ApplyFilter(absl::string_view name, absl::string_view in);

}  // namespace tmpl
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TEMPLATE_FILTERS_H_

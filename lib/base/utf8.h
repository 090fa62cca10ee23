// UTF-8 well-formedness check shared by the template parser, the dotenv writer
// and the validators.
#ifndef SECRETSYNC_LIB_BASE_UTF8_H_
#define SECRETSYNC_LIB_BASE_UTF8_H_

#include "absl/strings/string_view.h"

namespace secretsync {

// True if `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF). Written here because Debian 12's abseil has no UTF-8
// validator and ICU would be a large dependency for 30 lines.
bool IsValidUtf8(absl::string_view text);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_UTF8_H_

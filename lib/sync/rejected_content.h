// The content a health check rejected: its SHA-256 and when, kept in a 0600
// state file beside the output so that later runs hold it back instead of
// applying and rolling it back again (docs/sync.md, "Health check").
#ifndef SECRETSYNC_LIB_SYNC_REJECTED_CONTENT_H_
#define SECRETSYNC_LIB_SYNC_REJECTED_CONTENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/filesystem.h"
#include "lib/config/deployment.h"

namespace secretsync {
namespace sync {

struct RejectedContent {
  std::string sha256;  // hex, of the rendered .env bytes
  int64_t rejected_at_unix = 0;
};

// "<output_path>.rejected".
std::string RejectedContentPath(const config::Deployment& d);

// The recorded rejection, if any. A file that cannot be parsed counts as no
// rejection (the next unhealthy result writes a new one). Errors: those of
// reading the file other than NotFound.
absl::StatusOr<std::optional<RejectedContent>> ReadRejectedContent(const config::Deployment& d,
                                                                   Filesystem& fs);

// Records `rejected` atomically, mode 0600, owned like the lock and the
// pending-command marker ("Who owns what").
absl::Status WriteRejectedContent(const config::Deployment& d, Filesystem& fs,
                                  const RejectedContent& rejected);

// Removes the record; a missing one is not an error.
absl::Status ClearRejectedContent(const config::Deployment& d, Filesystem& fs);

}  // namespace sync
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_SYNC_REJECTED_CONTENT_H_

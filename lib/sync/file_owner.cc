// DeploymentFileOwner: the configured ids, else the folder's.
#include "lib/sync/file_owner.h"

namespace secretsync {
namespace sync {

FileOwner DeploymentFileOwner(const config::Deployment& d, Filesystem& fs) {
  FileOwner owner;
  absl::StatusOr<FileInfo> folder = fs.Stat(DirName(d.config.output_path()));
  if (folder.ok() && folder->exists) {
    owner.uid = folder->uid;
    owner.gid = folder->gid;
  }
  if (d.owner) owner.uid = *d.owner;
  if (d.group) owner.gid = *d.group;
  return owner;
}

}  // namespace sync
}  // namespace secretsync

// UserDirectory seam: user and group names to ids (the passwd and group
// databases), so tests need not depend on the machine's accounts.
#ifndef SECRETSYNC_LIB_BASE_USER_DIRECTORY_H_
#define SECRETSYNC_LIB_BASE_USER_DIRECTORY_H_

#include <sys/types.h>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // The uid of user `name`. NotFound when there is no such user; Unavailable
  // when the database cannot be read.
  virtual absl::StatusOr<uid_t> UserId(absl::string_view name) const = 0;
  // The gid of group `name`; errors as UserId.
  virtual absl::StatusOr<gid_t> GroupId(absl::string_view name) const = 0;
};

// getpwnam_r / getgrnam_r (so NSS is honoured). Thread-safe.
class RealUserDirectory : public UserDirectory {
 public:
  absl::StatusOr<uid_t> UserId(absl::string_view name) const override;
  absl::StatusOr<gid_t> GroupId(absl::string_view name) const override;
};

// Fixed maps, for tests.
class MapUserDirectory : public UserDirectory {
 public:
  MapUserDirectory(std::map<std::string, uid_t> users = {}, std::map<std::string, gid_t> groups = {})
      : users_(std::move(users)), groups_(std::move(groups)) {}
  absl::StatusOr<uid_t> UserId(absl::string_view name) const override;
  absl::StatusOr<gid_t> GroupId(absl::string_view name) const override;

 private:
  std::map<std::string, uid_t> users_;
  std::map<std::string, gid_t> groups_;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_USER_DIRECTORY_H_

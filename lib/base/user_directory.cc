// RealUserDirectory over the reentrant NSS lookups; MapUserDirectory.
#include "lib/base/user_directory.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace secretsync {
namespace {

// Runs a getXXnam_r lookup with a buffer that grows on ERANGE.
template <typename Entry, typename Lookup>
absl::StatusOr<const Entry*> Find(absl::string_view what, absl::string_view name, Entry* entry,
                                  std::vector<char>& buffer, Lookup lookup) {
  const std::string key(name);
  for (;;) {
    Entry* found = nullptr;
    int rc = lookup(key.c_str(), entry, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
      return absl::UnavailableError(
          absl::StrCat("cannot look up ", what, " ", key, ": ", std::strerror(rc)));
    }
    if (found == nullptr) return absl::NotFoundError(absl::StrCat("no ", what, " named ", key));
    return found;
  }
}

}  // namespace

absl::StatusOr<uid_t> RealUserDirectory::UserId(absl::string_view name) const {
  struct passwd entry;
  std::vector<char> buffer(4096);
  auto found = Find("user", name, &entry, buffer, getpwnam_r);
  if (!found.ok()) return found.status();
  return (*found)->pw_uid;
}

absl::StatusOr<gid_t> RealUserDirectory::GroupId(absl::string_view name) const {
  struct group entry;
  std::vector<char> buffer(4096);
  auto found = Find("group", name, &entry, buffer, getgrnam_r);
  if (!found.ok()) return found.status();
  return (*found)->gr_gid;
}

absl::StatusOr<uid_t> MapUserDirectory::UserId(absl::string_view name) const {
  auto it = users_.find(std::string(name));
  if (it == users_.end()) return absl::NotFoundError(absl::StrCat("no user named ", name));
  return it->second;
}

absl::StatusOr<gid_t> MapUserDirectory::GroupId(absl::string_view name) const {
  auto it = groups_.find(std::string(name));
  if (it == groups_.end()) return absl::NotFoundError(absl::StrCat("no group named ", name));
  return it->second;
}

}  // namespace secretsync

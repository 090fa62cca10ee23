// The project, environment and folder fields every secret write carries in
// its JSON body (v3: workspaceId / projectSlug / workspaceSlug; v4: projectId).
#ifndef SECRETSYNC_LIB_DEVSERVER_WRITE_SCOPE_H_
#define SECRETSYNC_LIB_DEVSERVER_WRITE_SCOPE_H_

#include <string>

#include "absl/status/status.h"
#include "lib/devserver/json_text.h"
#include "lib/devserver/request_json.h"

namespace secretsync {
namespace devserver {
namespace internal {

struct WriteScope {
  std::string project_id;
  std::string slug;
  std::string env;
  std::string path;  // normalized; "/" when absent
};

// Reads the scope fields (and checks "type") of a write body of API
// `version` (3 or 4); problems go to `issues`.
WriteScope ParseWriteScope(const Json& body, int version, Issues& issues);

// Whether the body asks for a personal secret (which machine identities have
// none of).
bool IsPersonal(const Json& body);

// 404 "Folder with path 'P' in environment with slug 'E' not found" with
// Infisical's error name for the endpoint ("CreateSecret", "NotFound").
absl::Status FolderNotFound(const std::string& path, const std::string& env,
                            absl::string_view error);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_WRITE_SCOPE_H_

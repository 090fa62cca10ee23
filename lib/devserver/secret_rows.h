// The JSON shapes of secrets and projects in the dev server's replies, field
// for field (and in order) as Infisical sends them.
#ifndef SECRETSYNC_LIB_DEVSERVER_SECRET_ROWS_H_
#define SECRETSYNC_LIB_DEVSERVER_SECRET_ROWS_H_

#include <string>

#include "lib/devserver/json_text.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {
namespace internal {

enum class RowShape {
  kRead,      // list and get-by-name rows
  kImported,  // rows inside "imports": no createdAt/updatedAt
  kWrite,     // replies of writes (secretRawSchema + secretValueHidden)
};

// One secret row; `value` is what the row shows ("<hidden-by-infisical>"
// instead when `hidden`).
Json SecretRow(const secretsync::v1::DevProject& project, const secretsync::v1::DevSecret& secret,
               RowShape shape, const std::string& value, bool hidden);

// The value a read returns: the stored one, or with its references expanded
// when `expand` (unresolvable references stay literal).
std::string ReadValue(const secretsync::v1::DevProject& project,
                      const secretsync::v1::DevSecret& secret, bool expand);

// A project with its environments, as GET /api/v1/projects/... sends it.
Json ProjectJson(const secretsync::v1::DevProject& project, const std::string& org_id);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_SECRET_ROWS_H_

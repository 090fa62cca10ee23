// Batch secret writes of the dev server: POST (create), PATCH (update, with
// `mode`) and DELETE on /api/v3/secrets/batch/raw and /api/v4/secrets/batch.
#ifndef SECRETSYNC_LIB_DEVSERVER_BATCH_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_BATCH_ENDPOINTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"

namespace secretsync {
namespace devserver {
namespace internal {

// {"secrets":[...]} in the write shape, all or nothing: on any error the store
// is unchanged. PATCH `mode` is failOnNotFound (default), upsert or ignore.
// 422 for bad fields or an empty list; 400 "Secret already exist: K,..." for
// creates; 404 "Secret does not exist: K,..." for updates and deletes, or an
// unknown folder; 401/403 for the caller (v4 accepts service tokens on POST
// only).
absl::StatusOr<Json> BatchWrite(ApiContext& ctx, const ApiRequest& req, int version,
                                const std::string& route);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_BATCH_ENDPOINTS_H_

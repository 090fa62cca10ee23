// The dev server's webhook routes: POST /api/v1/webhooks (create) and
// POST /api/v1/webhooks/:id/test, in Infisical's shapes (docs/devserver.md).
#ifndef SECRETSYNC_LIB_DEVSERVER_WEBHOOK_ENDPOINTS_H_
#define SECRETSYNC_LIB_DEVSERVER_WEBHOOK_ENDPOINTS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/json_text.h"
#include "lib/devserver/webhook_sender.h"

namespace secretsync {
namespace devserver {
namespace internal {

// Body {type:"general", workspaceId, environment, webhookUrl,
// webhookSecretKey?, secretPath?}. Needs an identity token of a member of
// the project (real Infisical wants a user session). 422 on missing fields,
// 400 for an unknown environment or a URL that is not http(s); replies
// {"message":"Successfully created webhook","webhook":{...}} without the key.
absl::StatusOr<Json> CreateWebhook(ApiContext& ctx, const ApiRequest& req,
                                   const std::string& route);

// Sends the "test" delivery of webhook `id` through `send` (asynchronously:
// the reply does not say whether it arrived). 404 for an unknown id.
absl::StatusOr<Json> TestWebhook(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                 const std::string& id,
                                 const std::function<void(OutgoingWebhook)>& send);

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_WEBHOOK_ENDPOINTS_H_

// CreateWebhook / TestWebhook: validate, keep in the store, send the test.
#include "lib/devserver/webhook_endpoints.h"

#include <optional>
#include <utility>

#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/access_control.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/request_json.h"
#include "lib/devserver/webhook_events.h"
#include "lib/webhook/delivery.h"

namespace secretsync {
namespace devserver {
namespace internal {
namespace {

namespace v1 = ::secretsync::v1;

Json WebhookJson(const v1::DevWebhook& webhook) {
  Json j;
  j["id"] = webhook.id();
  j["projectId"] = webhook.project_id();
  j["environment"]["slug"] = webhook.environment();
  j["secretPath"] = webhook.secret_path();
  j["url"] = webhook.url();
  j["isDisabled"] = false;
  j["type"] = "general";
  return j;
}

}  // namespace

absl::StatusOr<Json> CreateWebhook(ApiContext& ctx, const ApiRequest& req,
                                   const std::string& route) {
  SS_ASSIGN_OR_RETURN(Caller caller,
                      Authenticate(ctx, req, /*allow_service_token=*/false, route));
  SS_ASSIGN_OR_RETURN(Json body, ParseBody(req));
  Issues issues;
  std::optional<std::string> project_id = StringField(body, "workspaceId", true, issues);
  std::optional<std::string> env = StringField(body, "environment", true, issues);
  std::optional<std::string> url = StringField(body, "webhookUrl", true, issues);
  std::optional<std::string> key = StringField(body, "webhookSecretKey", false, issues);
  std::optional<std::string> path = StringField(body, "secretPath", false, issues);
  StringField(body, "type", false, issues);
  if (!issues.empty()) return issues.ToError();
  SS_ASSIGN_OR_RETURN(const v1::DevProject* project,
                      ResolveProject(ctx, caller, *project_id, ""));
  v1::DevWebhook webhook;
  webhook.set_project_id(project->id());
  webhook.set_environment(*env);
  webhook.set_url(*url);
  webhook.set_secret_key(key.value_or(""));
  webhook.set_secret_path(NormalizeSecretPath(path.value_or("/")));
  return ctx.Transaction([&]() -> absl::StatusOr<Json> {
    absl::StatusOr<v1::DevWebhook> added = ctx.store().AddWebhook(webhook);
    if (!added.ok()) return BadRequest(added.status().message());
    Json j;
    j["message"] = "Successfully created webhook";
    j["webhook"] = WebhookJson(*added);
    return j;
  });
}

absl::StatusOr<Json> TestWebhook(ApiContext& ctx, const ApiRequest& req, const std::string& route,
                                 const std::string& id,
                                 const std::function<void(OutgoingWebhook)>& send) {
  SS_ASSIGN_OR_RETURN(Caller caller,
                      Authenticate(ctx, req, /*allow_service_token=*/false, route));
  const v1::DevWebhook* webhook = ctx.store().WebhookById(id);
  if (webhook == nullptr) return NotFound("Webhook not found");
  SS_RETURN_IF_ERROR(ResolveProject(ctx, caller, webhook->project_id(), "").status());
  send(MakeDelivery(*webhook, webhook::kEventTest, webhook->secret_path(),
                    absl::ToUnixMillis(ctx.clock().TimeNow())));
  Json j;
  j["message"] = "Successfully tested webhook";
  return j;
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

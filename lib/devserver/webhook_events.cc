// MakeDelivery / DeliveriesForChange over lib/webhook's body and signature.
#include "lib/devserver/webhook_events.h"

#include <string>

#include "lib/base/secret_value.h"
#include "lib/devserver/access_control.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace devserver {

OutgoingWebhook MakeDelivery(const secretsync::v1::DevWebhook& webhook, absl::string_view event,
                             absl::string_view secret_path, int64_t timestamp_ms) {
  OutgoingWebhook out;
  out.webhook_id = webhook.id();
  out.url = webhook.url();
  out.body = webhook::SerializeDelivery(webhook::Delivery{std::string(event), webhook.project_id(),
                                                          webhook.environment(),
                                                          std::string(secret_path), timestamp_ms});
  if (!webhook.secret_key().empty()) {
    out.signature = webhook::SignatureHeaderValue(SecretValue(webhook.secret_key()), out.body,
                                                  timestamp_ms);
  }
  return out;
}

std::vector<OutgoingWebhook> DeliveriesForChange(const secretsync::v1::DevSeed& state,
                                                 absl::string_view project_id,
                                                 absl::string_view environment,
                                                 absl::string_view secret_path,
                                                 int64_t timestamp_ms) {
  std::vector<OutgoingWebhook> out;
  for (const secretsync::v1::DevWebhook& webhook : state.webhooks()) {
    if (webhook.project_id() != project_id || webhook.environment() != environment) continue;
    if (!internal::SecretPathMatches(webhook.secret_path(), secret_path)) continue;
    out.push_back(MakeDelivery(webhook, webhook::kEventSecretsModified, secret_path, timestamp_ms));
  }
  return out;
}

}  // namespace devserver
}  // namespace secretsync

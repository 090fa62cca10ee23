// Delivery: one Infisical webhook body ("secrets.modified" and friends),
// parsed from the exact bytes Infisical sends (docs/webhook.md).
#ifndef SECRETSYNC_LIB_WEBHOOK_DELIVERY_H_
#define SECRETSYNC_LIB_WEBHOOK_DELIVERY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace webhook {

// The event names a delivery may carry. Infisical's server sends
// "secrets.modified"; its public docs spell it "secret.modified"; the
// "test" event is what `POST /api/v1/webhooks/:id/test` sends.
inline constexpr absl::string_view kEventSecretsModified = "secrets.modified";
inline constexpr absl::string_view kEventSecretModified = "secret.modified";
inline constexpr absl::string_view kEventTest = "test";

// What a delivery tells a receiver: which project/environment/folder changed
// and when. It never holds a secret value (Infisical sends none).
struct Delivery {
  std::string event;          // one of the kEvent* names above
  std::string workspace_id;   // project.workspaceId
  std::string environment;    // project.environment (slug, e.g. "prod")
  std::string secret_path;    // project.secretPath (e.g. "/" or "/app")
  int64_t timestamp_ms = 0;   // milliseconds since the epoch

  // True for "test": a receiver logs it and triggers nothing else.
  bool is_test() const { return event == kEventTest; }
};

// Parses a delivery body. InvalidArgument naming the field when the body is
// not a JSON object, the event is unknown, project.workspaceId /
// project.environment / project.secretPath is missing or not a string, or
// timestamp is missing, not an integer or negative. Unknown fields are
// ignored. The message never quotes the body or JSON parser text.
absl::StatusOr<Delivery> ParseDelivery(absl::string_view body);

// The body Infisical sends for `delivery`, byte for byte as its
// JSON.stringify writes it (field order event, project{workspaceId,
// environment, secretPath}, timestamp; no spaces).
std::string SerializeDelivery(const Delivery& delivery);

}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_DELIVERY_H_

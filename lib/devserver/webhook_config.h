// Validation of the dev server's webhooks (proto DevWebhook), shared by the
// seed loader (DevStore::Create) and POST /api/v1/webhooks.
#ifndef SECRETSYNC_LIB_DEVSERVER_WEBHOOK_CONFIG_H_
#define SECRETSYNC_LIB_DEVSERVER_WEBHOOK_CONFIG_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

// Checks `webhook` against `state` (its project and environment exist, the
// URL is http(s)://) and fills the default secret path "/". InvalidArgument
// "<field>.<name>: <why>" otherwise; the message never holds the key.
absl::Status NormalizeWebhook(secretsync::v1::DevWebhook& webhook,
                              const secretsync::v1::DevSeed& state, absl::string_view field);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_WEBHOOK_CONFIG_H_

// The deliveries a change fires: which webhooks match a written folder, and
// each delivery's exact body and signature, as Infisical makes them.
#ifndef SECRETSYNC_LIB_DEVSERVER_WEBHOOK_EVENTS_H_
#define SECRETSYNC_LIB_DEVSERVER_WEBHOOK_EVENTS_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/devserver/webhook_sender.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

// The delivery of `event` ("secrets.modified" or "test") for `webhook` about
// folder `secret_path`, stamped `timestamp_ms`: body
// {"event","project":{"workspaceId","environment","secretPath"},"timestamp"},
// signed with the webhook's key when it has one.
OutgoingWebhook MakeDelivery(const secretsync::v1::DevWebhook& webhook, absl::string_view event,
                             absl::string_view secret_path, int64_t timestamp_ms);

// One "secrets.modified" delivery per webhook of `state` on (project_id,
// environment) whose secret_path matches the changed folder `secret_path`.
std::vector<OutgoingWebhook> DeliveriesForChange(const secretsync::v1::DevSeed& state,
                                                 absl::string_view project_id,
                                                 absl::string_view environment,
                                                 absl::string_view secret_path,
                                                 int64_t timestamp_ms);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_WEBHOOK_EVENTS_H_

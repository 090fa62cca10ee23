// NormalizeWebhook: the checks a webhook must pass before it is kept.
#include "lib/devserver/webhook_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace devserver {

absl::Status NormalizeWebhook(secretsync::v1::DevWebhook& webhook,
                              const secretsync::v1::DevSeed& state, absl::string_view field) {
  auto error = [&](absl::string_view name, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".", name, ": ", why));
  };
  const secretsync::v1::DevProject* project = nullptr;
  for (const auto& p : state.projects()) {
    if (p.id() == webhook.project_id()) project = &p;
  }
  if (project == nullptr) {
    return error("project_id", absl::StrCat("unknown project '", webhook.project_id(), "'"));
  }
  bool env_found = false;
  for (const auto& env : project->environments()) env_found |= env.slug() == webhook.environment();
  if (!env_found) {
    return error("environment", absl::StrCat("unknown environment '", webhook.environment(), "'"));
  }
  if (!absl::StartsWith(webhook.url(), "http://") && !absl::StartsWith(webhook.url(), "https://")) {
    return error("url", "must start with http:// or https://");
  }
  if (webhook.secret_path().empty()) webhook.set_secret_path("/");
  return absl::OkStatus();
}

}  // namespace devserver
}  // namespace secretsync

// Committing, rolling back and persisting changes to the dev server's store.
#include "lib/devserver/api_context.h"

#include <algorithm>
#include <utility>

#include "lib/devserver/api_error.h"

namespace secretsync {
namespace devserver {
namespace internal {

absl::StatusOr<Json> ApiContext::Transaction(const std::function<absl::StatusOr<Json>()>& change) {
  secretsync::v1::DevSeed before = store_->state();
  changed_.clear();
  absl::StatusOr<Json> result = change();
  if (!result.ok()) {
    store_->Restore(std::move(before));
    changed_.clear();
    return result;
  }
  if (persist_) {
    absl::Status s = persist_(store_->state());
    if (!s.ok()) {
      Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
      store_->Restore(std::move(before));
      changed_.clear();
      return SomethingWentWrong();
    }
  }
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  if (on_secrets_changed_) {
    for (const auto& [project_id, env, path] : changed_) on_secrets_changed_(project_id, env, path);
  }
  changed_.clear();
  return result;
}

void ApiContext::NoteSecretsChanged(const std::string& project_id, const std::string& env,
                                    const std::string& path) {
  changed_.emplace_back(project_id, env, path);
}

void ApiContext::PersistOrLog() {
  if (!persist_) return;
  absl::Status s = persist_(store_->state());
  if (!s.ok()) Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

// Committing, rolling back and persisting changes to the dev server's store.
#include "lib/devserver/api_context.h"

#include <utility>

#include "lib/devserver/api_error.h"

namespace secretsync {
namespace devserver {
namespace internal {

absl::StatusOr<Json> ApiContext::Transaction(const std::function<absl::StatusOr<Json>()>& change) {
  secretsync::v1::DevSeed before = store_->state();
  absl::StatusOr<Json> result = change();
  if (!result.ok()) {
    store_->Restore(std::move(before));
    return result;
  }
  if (persist_) {
    absl::Status s = persist_(store_->state());
    if (!s.ok()) {
      Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
      store_->Restore(std::move(before));
      return SomethingWentWrong();
    }
  }
  return result;
}

void ApiContext::PersistOrLog() {
  if (!persist_) return;
  absl::Status s = persist_(store_->state());
  if (!s.ok()) Logger(log_).Error("devserver.persist_failed").Field("error", s.ToString());
}

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

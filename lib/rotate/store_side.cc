// StoreSide: Get/Create/Update/Delete on one secret and its pending copy.
#include "lib/rotate/store_side.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/config/deployment.h"

namespace secretsync {
namespace rotate {

std::string PendingName(absl::string_view secret_name) {
  return config::PendingSecretName(secret_name);
}

StoreSide::StoreSide(infisical::SecretStore& store, infisical::SecretScope scope,
                     std::string secret_name)
    : store_(store), scope_(std::move(scope)), name_(std::move(secret_name)) {}

absl::StatusOr<SecretValue> StoreSide::Current() {
  absl::StatusOr<infisical::SecretRecord> r = store_.Get(scope_, name_);
  if (!r.ok()) return Annotate(r.status(), absl::StrCat("read secret ", name_));
  return std::move(r->value);
}

absl::StatusOr<std::optional<SecretValue>> StoreSide::Pending() {
  const std::string pending = PendingName(name_);
  absl::StatusOr<infisical::SecretRecord> r = store_.Get(scope_, pending);
  if (absl::IsNotFound(r.status())) return std::optional<SecretValue>();
  if (!r.ok()) return Annotate(r.status(), absl::StrCat("read secret ", pending));
  return std::optional<SecretValue>(std::move(r->value));
}

absl::Status StoreSide::Put(absl::string_view name, const SecretValue& value) {
  absl::Status s = store_.Update(scope_, name, value);
  if (absl::IsNotFound(s)) {
    s = store_.Create(scope_, name, value, "written by secretsync rotate");
    // Created meanwhile by someone else: replace it.
    if (absl::IsAlreadyExists(s)) s = store_.Update(scope_, name, value);
  }
  return s;
}

absl::Status StoreSide::StorePending(const SecretValue& value) {
  const std::string pending = PendingName(name_);
  return Annotate(Put(pending, value), absl::StrCat("store secret ", pending));
}

absl::Status StoreSide::Promote(const SecretValue& value) {
  return Annotate(Put(name_, value), absl::StrCat("store secret ", name_));
}

absl::Status StoreSide::DeletePending() {
  const std::string pending = PendingName(name_);
  absl::Status s = store_.Delete(scope_, pending);
  if (absl::IsNotFound(s)) return absl::OkStatus();
  return Annotate(s, absl::StrCat("delete secret ", pending));
}

}  // namespace rotate
}  // namespace secretsync

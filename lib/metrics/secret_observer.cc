// SecretObserver: a ForwardingSecretStore that owns the store it observes.
#include "lib/metrics/secret_observer.h"

#include <memory>
#include <utility>
#include <vector>

#include "lib/base/status_macros.h"

namespace secretsync {
namespace metrics {
namespace {

class ObservingStore : public infisical::ForwardingSecretStore {
 public:
  ObservingStore(std::unique_ptr<infisical::SecretStore> inner, SecretObserver& observer)
      : ForwardingSecretStore(*inner), inner_(std::move(inner)), observer_(observer) {}

  absl::StatusOr<std::vector<infisical::SecretRecord>> List(
      const infisical::SecretScope& scope) override {
    absl::StatusOr<std::vector<infisical::SecretRecord>> records = inner_->List(scope);
    if (records.ok()) observer_.RecordList(*records);
    return records;
  }

 private:
  std::unique_ptr<infisical::SecretStore> inner_;
  SecretObserver& observer_;
};

}  // namespace

infisical::SecretStoreFactory SecretObserver::Wrap(infisical::SecretStoreFactory inner) {
  return [this, inner = std::move(inner)](const v1::DeploymentConfig& config)
             -> absl::StatusOr<std::unique_ptr<infisical::SecretStore>> {
    SS_ASSIGN_OR_RETURN(std::unique_ptr<infisical::SecretStore> store, inner(config));
    return std::unique_ptr<infisical::SecretStore>(new ObservingStore(std::move(store), *this));
  };
}

void SecretObserver::RecordList(const std::vector<infisical::SecretRecord>& records) {
  absl::MutexLock lock(&mu_);
  listed_ = true;
  for (const infisical::SecretRecord& r : records) seen_[r.name] = r.updated_at;
}

std::map<std::string, absl::Time> SecretObserver::seen() const {
  absl::MutexLock lock(&mu_);
  return seen_;
}

bool SecretObserver::listed() const {
  absl::MutexLock lock(&mu_);
  return listed_;
}

}  // namespace metrics
}  // namespace secretsync

// FakeSecretStore implementation.
#include "lib/testing/fake_secret_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace secretsync {

using infisical::SecretRecord;
using infisical::SecretScope;

infisical::SecretStoreFactory FakeSecretStore::Factory() {
  return [this](const secretsync::v1::DeploymentConfig& config)
             -> absl::StatusOr<std::unique_ptr<infisical::SecretStore>> {
    last_config = config;
    return std::unique_ptr<infisical::SecretStore>(new infisical::ForwardingSecretStore(*this));
  };
}

void FakeSecretStore::Put(absl::string_view name, absl::string_view value, int64_t version) {
  values_[std::string(name)] = Entry{std::string(value), version};
}

std::string FakeSecretStore::ValueOf(absl::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? "" : it->second.value;
}

int64_t FakeSecretStore::VersionOf(absl::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? 0 : it->second.version;
}

absl::Status FakeSecretStore::NextFailure(std::string call) {
  ++calls;
  log.push_back(std::move(call));
  if (fail_next.empty()) return absl::OkStatus();
  absl::Status s = fail_next.front();
  fail_next.erase(fail_next.begin());
  return s;
}

absl::StatusOr<std::vector<SecretRecord>> FakeSecretStore::List(const SecretScope& scope) {
  absl::Status f = NextFailure("List");
  if (!f.ok()) return f;
  std::vector<SecretRecord> out;
  for (const auto& [name, entry] : values_) {
    SecretRecord r;
    r.name = name;
    r.value = SecretValue(entry.value);
    r.version = entry.version;
    r.environment = scope.environment;
    r.secret_path = scope.secret_path;
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<SecretRecord> FakeSecretStore::Get(const SecretScope& scope,
                                                  absl::string_view name) {
  absl::Status f = NextFailure(absl::StrCat("Get ", name));
  if (!f.ok()) return f;
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return absl::NotFoundError(absl::StrCat("secret ", name, " not found"));
  SecretRecord r;
  r.name = std::string(name);
  r.value = SecretValue(it->second.value);
  r.version = it->second.version;
  r.environment = scope.environment;
  r.secret_path = scope.secret_path;
  return r;
}

absl::Status FakeSecretStore::Create(const SecretScope&, absl::string_view name,
                                     const SecretValue& value, absl::string_view) {
  absl::Status f = NextFailure(absl::StrCat("Create ", name));
  if (!f.ok()) return f;
  if (Has(name)) return absl::AlreadyExistsError(absl::StrCat("secret ", name, " already exists"));
  Put(name, value.Expose(), 1);
  return absl::OkStatus();
}

absl::Status FakeSecretStore::Update(const SecretScope&, absl::string_view name,
                                     const SecretValue& value) {
  absl::Status f = NextFailure(absl::StrCat("Update ", name));
  if (!f.ok()) return f;
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return absl::NotFoundError(absl::StrCat("secret ", name, " not found"));
  it->second.value = std::string(value.Expose());
  ++it->second.version;
  return absl::OkStatus();
}

absl::Status FakeSecretStore::Delete(const SecretScope&, absl::string_view name) {
  absl::Status f = NextFailure(absl::StrCat("Delete ", name));
  if (!f.ok()) return f;
  if (values_.erase(std::string(name)) == 0) {
    return absl::NotFoundError(absl::StrCat("secret ", name, " not found"));
  }
  return absl::OkStatus();
}

}  // namespace secretsync

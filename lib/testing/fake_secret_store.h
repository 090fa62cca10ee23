// FakeSecretStore: an in-memory SecretStore with failure injection, for tests.
#ifndef SECRETSYNC_LIB_TESTING_FAKE_SECRET_STORE_H_
#define SECRETSYNC_LIB_TESTING_FAKE_SECRET_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {

// Holds secrets by name (scope is ignored but recorded). `fail_next` makes the
// next calls return the given statuses in order. Thread-compatible.
class FakeSecretStore : public infisical::SecretStore {
 public:
  void Put(absl::string_view name, absl::string_view value, int64_t version = 1);
  bool Has(absl::string_view name) const { return values_.count(std::string(name)) > 0; }
  // The stored bytes, for assertions.
  std::string ValueOf(absl::string_view name) const;
  int64_t VersionOf(absl::string_view name) const;

  // A factory whose stores forward to this one (which must outlive them), so a
  // test can inspect the store after the code under test drops its pointer.
  infisical::SecretStoreFactory Factory();

  std::vector<absl::Status> fail_next;  // consumed front to back
  int calls = 0;
  std::vector<std::string> log;         // "List", "Create NAME", ...
  secretsync::v1::DeploymentConfig last_config;  // given to Factory()'s last store

  absl::StatusOr<std::vector<infisical::SecretRecord>> List(
      const infisical::SecretScope& scope) override;
  absl::StatusOr<infisical::SecretRecord> Get(const infisical::SecretScope& scope,
                                              absl::string_view name) override;
  absl::Status Create(const infisical::SecretScope& scope, absl::string_view name,
                      const SecretValue& value, absl::string_view comment) override;
  absl::Status Update(const infisical::SecretScope& scope, absl::string_view name,
                      const SecretValue& value) override;
  absl::Status Delete(const infisical::SecretScope& scope, absl::string_view name) override;

 private:
  absl::Status NextFailure(std::string call);
  struct Entry {
    std::string value;
    int64_t version = 1;
  };
  std::map<std::string, Entry> values_;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_FAKE_SECRET_STORE_H_

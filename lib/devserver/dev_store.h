// DevStore: the dev server's state (projects, folders, secrets, identities,
// tokens) over the DevSeed proto, with Infisical's write rules.
#ifndef SECRETSYNC_LIB_DEVSERVER_DEV_STORE_H_
#define SECRETSYNC_LIB_DEVSERVER_DEV_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/base/random_source.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

// Universal Auth's default access token TTL and max TTL (30 days).
inline constexpr uint32_t kDefaultTokenTtlSeconds = 2592000;

// Infisical's secretPath rule: trimmed, leading "/", no trailing "/", "" -> "/".
std::string NormalizeSecretPath(absl::string_view path);

// Infisical's server-side value rule: trimmed; a value that ended in "\n" keeps
// exactly one trailing "\n".
std::string TrimSecretValue(absl::string_view value);

// What a write changes; unset fields keep the stored ones.
struct SecretChange {
  std::optional<std::string> value;  // already trimmed
  std::optional<std::string> comment;
  std::optional<bool> skip_multiline_encoding;
  std::optional<std::string> new_name;
};

// Owns the state. Pointers it returns stay valid until the next mutation or
// Restore(). Not thread-safe: DevApi serializes calls.
class DevStore {
 public:
  // Validates `seed` and fills defaults (ids, environment names, versions,
  // timestamps, folders of secrets and imports, org id, signing key).
  // InvalidArgument naming the field ("projects[0].secrets[2].environment:
  // unknown environment 'qa'") when the seed is inconsistent; Internal when
  // the random source fails.
  static absl::StatusOr<std::unique_ptr<DevStore>> Create(secretsync::v1::DevSeed seed,
                                                          Clock& clock, RandomSource& random);

  // The whole state, as written to the state file.
  const secretsync::v1::DevSeed& state() const { return state_; }
  // Puts back an earlier state() copy (rollback of a failed batch).
  void Restore(secretsync::v1::DevSeed state) { state_ = std::move(state); }

  const secretsync::v1::DevProject* ProjectById(absl::string_view id) const;
  const secretsync::v1::DevProject* ProjectBySlug(absl::string_view slug) const;
  static const secretsync::v1::DevEnvironment* FindEnvironment(
      const secretsync::v1::DevProject& project, absl::string_view slug);
  // "/" exists in every environment; other folders once created or seeded.
  static bool FolderExists(const secretsync::v1::DevProject& project, absl::string_view env,
                           absl::string_view path);
  // A stable uuid-shaped id for a folder.
  static std::string FolderId(const secretsync::v1::DevProject& project, absl::string_view env,
                              absl::string_view path);
  static const secretsync::v1::DevSecret* FindSecret(const secretsync::v1::DevProject& project,
                                                     absl::string_view env, absl::string_view path,
                                                     absl::string_view key);
  // The folder's secrets (and its sub-folders' when `recursive`), by path then key.
  static std::vector<const secretsync::v1::DevSecret*> ListSecrets(
      const secretsync::v1::DevProject& project, absl::string_view env, absl::string_view path,
      bool recursive);
  // Imports into (env, path), in seed order: later ones win.
  static std::vector<const secretsync::v1::DevImport*> ImportsInto(
      const secretsync::v1::DevProject& project, absl::string_view env, absl::string_view path);

  // Checks that each reference in `value` (held by a secret in env/path) names
  // an existing environment, folder and secret. InvalidArgument with
  // Infisical's message ("Referenced secret(s) not found: K") otherwise.
  static absl::Status CheckReferences(const secretsync::v1::DevProject& project,
                                      absl::string_view env, absl::string_view path,
                                      absl::string_view value);

  // Creates a shared secret (version 1) in an existing folder.
  // AlreadyExists "Secret already exist"; NotFound for an unknown project.
  absl::StatusOr<secretsync::v1::DevSecret> CreateSecret(absl::string_view project_id,
                                                         absl::string_view env,
                                                         absl::string_view path,
                                                         absl::string_view key,
                                                         const SecretChange& change);
  // Applies `change` and raises the version by one. NotFound "Secret with name
  // K not found"; AlreadyExists "Secret with the new name already exist".
  absl::StatusOr<secretsync::v1::DevSecret> UpdateSecret(absl::string_view project_id,
                                                         absl::string_view env,
                                                         absl::string_view path,
                                                         absl::string_view key,
                                                         const SecretChange& change);
  // Removes the secret (its folder stays) and returns it. NotFound "Secret not found".
  absl::StatusOr<secretsync::v1::DevSecret> DeleteSecret(absl::string_view project_id,
                                                         absl::string_view env,
                                                         absl::string_view path,
                                                         absl::string_view key);

  const secretsync::v1::DevIdentity* IdentityByClientId(absl::string_view client_id) const;
  // The service token "st.<id>.<secret>" whose id part is `token_id`.
  const secretsync::v1::DevServiceToken* ServiceTokenById(absl::string_view token_id) const;
  static uint32_t TokenTtlSeconds(const secretsync::v1::DevIdentity& identity);
  static uint32_t TokenMaxTtlSeconds(const secretsync::v1::DevIdentity& identity);

  // Records a new access token for `identity`, created and renewed now.
  absl::StatusOr<secretsync::v1::DevAccessToken> IssueAccessToken(
      const secretsync::v1::DevIdentity& identity);
  secretsync::v1::DevAccessToken* MutableAccessToken(absl::string_view id);
  // False when no token has that id.
  bool DeleteAccessToken(absl::string_view id);
  // The HMAC key tokens are signed with (raw bytes).
  const std::string& signing_key() const { return signing_key_; }

  // Validates `webhook` (NormalizeWebhook), gives it a new id and keeps it.
  // InvalidArgument when it is not valid.
  absl::StatusOr<secretsync::v1::DevWebhook> AddWebhook(secretsync::v1::DevWebhook webhook);
  const secretsync::v1::DevWebhook* WebhookById(absl::string_view id) const;

  // A random v4 UUID. Internal when the random source fails.
  absl::StatusOr<std::string> NewUuid();
  // Now as Infisical prints times: "2026-01-02T03:04:05.000Z".
  std::string NowRfc3339() const;
  Clock& clock() const { return clock_; }

 private:
  DevStore(Clock& clock, RandomSource& random) : clock_(clock), random_(random) {}
  absl::Status Normalize();
  secretsync::v1::DevProject* MutableProjectById(absl::string_view id);

  Clock& clock_;
  RandomSource& random_;
  secretsync::v1::DevSeed state_;
  std::string signing_key_;
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_DEV_STORE_H_

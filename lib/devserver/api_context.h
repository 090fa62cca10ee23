// ApiContext: what every endpoint of the dev server works on (the store, the
// clock, the log) and how a change to the store is committed or rolled back.
#ifndef SECRETSYNC_LIB_DEVSERVER_API_CONTEXT_H_
#define SECRETSYNC_LIB_DEVSERVER_API_CONTEXT_H_

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/json_text.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {
namespace internal {

// Owns the store; `clock` and `log` must outlive it. Not thread-safe: DevApi
// serializes requests.
class ApiContext {
 public:
  // Called with the whole state after every change; may be empty.
  using PersistFn = std::function<absl::Status(const secretsync::v1::DevSeed&)>;

  ApiContext(std::unique_ptr<DevStore> store, Clock& clock, LogSink& log, PersistFn persist)
      : store_(std::move(store)), clock_(clock), log_(log), persist_(std::move(persist)) {}

  // Called after a committed transaction once per folder it changed
  // (project id, environment slug, normalized path): the webhooks' trigger.
  using ChangeFn = std::function<void(const std::string& project_id, const std::string& env,
                                      const std::string& path)>;
  void set_on_secrets_changed(ChangeFn fn) { on_secrets_changed_ = std::move(fn); }

  DevStore& store() { return *store_; }
  Clock& clock() { return clock_; }

  // Runs `change` against the store. When it fails, the store is put back as
  // it was and its error returned. When it succeeds, the new state is
  // persisted; a persist failure is logged (devserver.persist_failed), rolls
  // the store back and becomes 500 "Something went wrong".
  absl::StatusOr<Json> Transaction(const std::function<absl::StatusOr<Json>()>& change);

  // Inside a Transaction's `change`: secrets of (project, env, path) were
  // written. Nothing fires when the transaction rolls back.
  void NoteSecretsChanged(const std::string& project_id, const std::string& env,
                          const std::string& path);

  // Persists the current state outside a transaction (token bookkeeping that
  // must stick even when the request fails); a failure is only logged.
  void PersistOrLog();

 private:
  std::unique_ptr<DevStore> store_;
  Clock& clock_;
  LogSink& log_;
  PersistFn persist_;
  ChangeFn on_secrets_changed_;
  std::vector<std::tuple<std::string, std::string, std::string>> changed_;
};

}  // namespace internal
}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_API_CONTEXT_H_

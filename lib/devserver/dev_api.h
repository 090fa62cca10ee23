// DevApi: the Infisical-compatible HTTP API as a pure function of the request
// ((method, path, query, headers, body) -> (status, headers, body)), testable
// without sockets; http_server.h binds it to cpp-httplib.
#ifndef SECRETSYNC_LIB_DEVSERVER_DEV_API_H_
#define SECRETSYNC_LIB_DEVSERVER_DEV_API_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/fault_injector.h"
#include "lib/devserver/rate_limiter.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

struct ApiRequest {
  std::string method;  // "GET"
  std::string path;    // percent-decoded, without the query string
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
  std::string content_type = "application/json; charset=utf-8";

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(absl::string_view name) const;
};

struct DevApiOptions {
  int rate_limit_per_minute = 0;    // 0: no limit, like self-hosted Infisical
  FaultInjector* faults = nullptr;  // null: the /__devserver routes are 404
};

// Serves the endpoints of docs/infisical-api.md ("Minimum contract for a
// compatible dev server") over a DevStore it owns. Thread-safe: requests are
// handled one at a time.
class DevApi {
 public:
  // Called with the whole state after every change; a failure makes the
  // request a 500 and rolls the change back. May be empty (no state file).
  using PersistFn = std::function<absl::Status(const secretsync::v1::DevSeed&)>;

  DevApi(std::unique_ptr<DevStore> store, Clock& clock, RandomSource& random, LogSink& log,
         DevApiOptions options, PersistFn persist);
  ~DevApi();

  // Answers one request. Never fails: errors are Infisical error bodies
  // {"reqId","statusCode","message","error"}.
  ApiResponse Handle(const ApiRequest& request);

  // A copy of the current state.
  secretsync::v1::DevSeed StateSnapshot();

 private:
  class Impl;
  absl::Mutex mu_;
  std::unique_ptr<Impl> impl_ ABSL_GUARDED_BY(mu_);
};

// The reply of a `status`, `malformed_json` or `truncated_json` fault: the
// Infisical error body with Retry-After, a non-JSON body, or a cut-off JSON
// document. The transport handles the other modes.
ApiResponse FaultResponse(const Fault& fault, absl::string_view request_id);

// A strong ETag as @fastify/etag makes it: "\"" + base36(fnv1a32(body)) + "\"".
std::string StrongEtag(absl::string_view body);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_DEV_API_H_

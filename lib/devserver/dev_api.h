// DevApi: the Infisical-compatible HTTP API as a pure function of the request
// ((method, path, query, headers, body) -> (status, headers, body)), testable
// without sockets; http_server.h binds it to cpp-httplib. The endpoints live
// in *_endpoints.{h,cc}; this file routes, rate-limits and adds ETags.
#ifndef SECRETSYNC_LIB_DEVSERVER_DEV_API_H_
#define SECRETSYNC_LIB_DEVSERVER_DEV_API_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/devserver/api_message.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/fault_injector.h"
#include "lib/devserver/webhook_sender.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

struct DevApiOptions {
  int rate_limit_per_minute = 0;  // 0: no limit, like self-hosted Infisical
  // The status of a rate-limited reply: 429 RateLimitExceeded (Infisical
  // Cloud) or 500 "Something went wrong" (the self-hosted October 2024
  // build). Both carry retry-after and x-ratelimit-{limit,remaining,reset}.
  int rate_limit_status = 429;
  FaultInjector* faults = nullptr;  // null: the /__devserver routes are 404
  // Where webhook deliveries go (docs/devserver.md, "Webhooks"). Null: none
  // are sent, though webhooks can still be created.
  WebhookSender* webhooks = nullptr;
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
// Infisical error body with Retry-After (and x-ratelimit-* with remaining 0
// when the fault asks for rate-limit headers), a non-JSON body, or a cut-off
// JSON document. The transport handles the other modes.
ApiResponse FaultResponse(const Fault& fault, absl::string_view request_id);

// Infisical's error body for a request refused with HTTP 413 because its body
// is over `max_bytes` (the --max-request-bytes limit).
ApiResponse PayloadTooLargeResponse(size_t max_bytes, absl::string_view request_id);

// A strong ETag as @fastify/etag makes it: "\"" + base36(fnv1a32(body)) + "\"".
std::string StrongEtag(absl::string_view body);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_DEV_API_H_

// Fault injection for client tests (only with --enable-faults): a queue of
// faults set through POST /__devserver/faults, consumed by upcoming /api calls.
#ifndef SECRETSYNC_LIB_DEVSERVER_FAULT_INJECTOR_H_
#define SECRETSYNC_LIB_DEVSERVER_FAULT_INJECTOR_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace secretsync {
namespace devserver {

enum class FaultMode {
  kStatus,         // answer `status` with an Infisical error body (+ Retry-After)
  kDelay,          // sleep `delay_ms`, then answer normally
  kCloseMidBody,   // send headers and half of a body, then close the connection
  kMalformedJson,  // 200 with a body that is not JSON
  kTruncatedJson,  // 200 with a JSON document cut short (Content-Length matches)
  kOversized,      // 200 with a body of `oversized_bytes`
};

struct Fault {
  FaultMode mode = FaultMode::kStatus;
  int count = 1;  // upcoming matching /api requests it affects
  int status = 503;
  std::optional<int> retry_after_seconds;
  int delay_ms = 0;
  int64_t oversized_bytes = 70000000;
  std::string path_prefix;  // empty: every /api request
  // kStatus only: also send x-ratelimit-limit, x-ratelimit-remaining: 0 and
  // x-ratelimit-reset, as real Infisical does on a rate-limited reply.
  bool rate_limit_headers = false;
  std::string message = "Injected fault";  // kStatus: the error body's message
};

// Parses the JSON body of POST /__devserver/faults:
// {"mode":"status","count":1,"status":503,"retryAfter":2,"rateLimitHeaders":true,
//  "message":"Something went wrong","delayMs":3000,"oversizedBytes":70000000,
//  "pathPrefix":"/api/v3/secrets"} (all but mode optional).
// InvalidArgument naming the field when the body or a field is bad.
absl::StatusOr<Fault> ParseFault(absl::string_view json_body);

// The fault queue. Thread-safe.
class FaultInjector {
 public:
  void Add(Fault fault);
  void Clear();
  // The first queued fault whose path_prefix matches `path`, with its count
  // taken down by one (removed at zero); nullopt when none matches.
  std::optional<Fault> Take(absl::string_view path);

 private:
  absl::Mutex mu_;
  std::deque<Fault> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_FAULT_INJECTOR_H_

// WebhookVerifier: decides whether an incoming Infisical webhook delivery is
// genuine and fresh (size, content type, HMAC signature, timestamp window,
// replay), and what HTTP status a refusal gets. No I/O: the receiver
// (webhook_receiver.h) and tests feed it the request's parts.
#ifndef SECRETSYNC_LIB_WEBHOOK_VERIFIER_H_
#define SECRETSYNC_LIB_WEBHOOK_VERIFIER_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/secret_value.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/replay_cache.h"

namespace secretsync {
namespace webhook {

inline constexpr size_t kDefaultMaxBodyBytes = 64 * 1024;
inline constexpr absl::Duration kDefaultWindow = absl::Minutes(5);
// 1,000 deliveries a second for the whole ±5 min window would need 600,000;
// Infisical sends one per write, so this is far above real traffic while
// capping the cache at ~2 MB.
inline constexpr size_t kDefaultReplayCapacity = 16384;

struct VerifierOptions {
  // The webhook's secret key as set in Infisical. Empty: no signature is
  // required or checked (and so no replay check either). Only for a
  // receiver on loopback or behind a proxy that authenticates the sender.
  SecretValue key;
  // A delivery's timestamp must be within ±window of the clock.
  absl::Duration window = kDefaultWindow;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  size_t replay_capacity = kDefaultReplayCapacity;
};

// The parts of an HTTP request the verifier reads. Header values are as
// received; absent headers are nullopt.
struct IncomingDelivery {
  std::optional<absl::string_view> content_type;
  std::optional<absl::string_view> signature;  // x-infisical-signature
  absl::string_view body;
};

// Thread-safe (the replay cache is under a mutex). `clock` must outlive it.
class WebhookVerifier {
 public:
  WebhookVerifier(Clock& clock, VerifierOptions options);

  // The parsed delivery when `in` passes every check, in this order:
  //   ResourceExhausted (413)  body over max_body_bytes;
  //   InvalidArgument (400)    Content-Type absent or not application/json
  //                            (parameters such as "; charset=utf-8" allowed);
  //   Unauthenticated (401)    a key is set and the signature is missing,
  //                            malformed or wrong (HMAC over the raw body);
  //   InvalidArgument (400)    the body is not a delivery (ParseDelivery);
  //   Unauthenticated (401)    the header's t= differs from the body's
  //                            timestamp, or the timestamp is outside ±window;
  //   Unauthenticated (401)    a key is set and the signature was already
  //                            accepted inside the window (replay);
  //   Unavailable (503)        the replay cache is full.
  // Only an accepted delivery is recorded in the replay cache. Messages are
  // short reasons for the log: they never hold the key, the signature or the
  // body. Use HttpStatusForRefusal() for the reply's status.
  absl::StatusOr<Delivery> Verify(const IncomingDelivery& in);

  bool requires_signature() const { return !options_.key.empty(); }
  size_t max_body_bytes() const { return options_.max_body_bytes; }

 private:
  Clock& clock_;
  const VerifierOptions options_;
  absl::Mutex mu_;
  ReplayCache replay_ ABSL_GUARDED_BY(mu_);
};

// The HTTP status for a Verify() refusal: 413, 400, 401 or 503 as listed
// above; 400 for any other code.
int HttpStatusForRefusal(const absl::Status& refusal);

// True when `content_type` names application/json, ignoring case, spaces and
// parameters.
bool IsJsonContentType(absl::string_view content_type);

}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_VERIFIER_H_

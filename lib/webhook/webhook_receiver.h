// WebhookReceiver: a small HTTP(S) server on cpp-httplib that takes Infisical
// webhook deliveries, verifies them (verifier.h) and hands each verified one
// to a callback. Reused by //tools:hub and the dev server's tests.
#ifndef SECRETSYNC_LIB_WEBHOOK_WEBHOOK_RECEIVER_H_
#define SECRETSYNC_LIB_WEBHOOK_WEBHOOK_RECEIVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/verifier.h"

namespace httplib {
class ContentReader;
class Server;
class Request;
class Response;
}  // namespace httplib

namespace secretsync {
namespace webhook {

namespace internal {
class TlsCredentials;
}  // namespace internal

struct ReceiverOptions {
  // Both empty: plain HTTP (only on loopback or behind a TLS proxy). Both
  // set: HTTPS with this PEM certificate (chain) and key; ReloadTls() rereads them.
  std::string tls_cert_path;
  std::string tls_key_path;
  // The delivery path: POST elsewhere is 404. Empty: any path.
  std::string path = "/webhook";
  // A client silent for this long, while sending headers or body, is cut off.
  absl::Duration read_timeout = absl::Seconds(3);
  // A body still arriving this long after its first byte is refused (413)
  // and the connection closed: a drip-fed body cannot hold a worker.
  absl::Duration body_deadline = absl::Seconds(5);
  // Worker threads; accepted connections waiting for a worker are capped
  // at `max_queued_connections` (the accept loop then waits, and the
  // kernel's backlog holds further clients).
  // Optional: asked after verification, before the callback; a non-OK
  // status refuses the delivery (HttpStatusForRefusal: InvalidArgument 400)
  // and the callback is not called. The hub refuses unknown projects here.
  std::function<absl::Status(const Delivery&)> admit;
  // Optional: called with the status of every POST answered >= 400 (also
  // the 413 httplib sends for a Content-Length over the limit), for the
  // hub's refusal counter. Must not block.
  std::function<void(int http_status)> on_refused;
  size_t threads = 4;
  size_t max_queued_connections = 64;
};

// Called once per verified delivery, on a worker thread, possibly from
// several at once. It must not block (enqueue and return): the 202 is sent
// when it returns. `request_id` also appears in the receiver's log line.
using DeliveryCallback = std::function<void(const Delivery&, const std::string& request_id)>;

// Owns the httplib server. `verifier`, `clock`, `fs` and `log` must outlive
// it. Create, Bind, then Serve() on one thread; Stop() and ReloadTls() from
// any thread.
//
// Replies, each with a fixed short body and an X-Request-Id header:
//   POST <path>  202 for a verified delivery (the callback has run), else the
//                verifier's 400/401/413/503; a body over the verifier's limit
//                (Content-Length or chunked, counted as it streams) is 413
//                and the connection closes without reading the rest.
//   GET /healthz 200 "ok".
//   anything else 404.
// Every connection carries one request and closes after the reply
// (`Connection: close`; Infisical opens one per delivery): a refused body is
// not read to its end, so nothing of it may be taken for a next request.
// Logs one line per delivery: `I webhook.accepted id=... event=... env=...
// secret_path=...` or `W webhook.refused id=... status=401 reason=...`
// (reasons never hold the key, the signature or the body).
class WebhookReceiver {
 public:
  // InvalidArgument when only one TLS path is set, the files cannot be
  // loaded, or threads is 0.
  static absl::StatusOr<std::unique_ptr<WebhookReceiver>> Create(
      ReceiverOptions options, WebhookVerifier& verifier, DeliveryCallback callback,
      Clock& clock, Filesystem& fs, LogSink& log);
  ~WebhookReceiver();

  // Binds host:port (port 0: any free port) and returns the bound port.
  // Unavailable when the address cannot be bound.
  absl::StatusOr<int> Bind(const std::string& host, int port);
  // Accepts connections until Stop(). Unavailable if the listener fails.
  absl::Status Serve();
  // Makes a running or about-to-start Serve() return.
  void Stop();
  // Rereads the TLS certificate and key (for SIGHUP). New connections use
  // them; on error (unreadable, not matching) the old ones stay in use.
  // FailedPrecondition on a plain-HTTP receiver.
  absl::Status ReloadTls();
  bool tls() const { return tls_ != nullptr; }

 private:
  WebhookReceiver(ReceiverOptions options, WebhookVerifier& verifier, DeliveryCallback callback,
                  Clock& clock, LogSink& log, std::unique_ptr<internal::TlsCredentials> tls);
  void HandlePost(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader);
  std::string NextRequestId();

  const ReceiverOptions options_;
  WebhookVerifier& verifier_;
  DeliveryCallback callback_;
  Clock& clock_;
  LogSink& log_;
  std::unique_ptr<internal::TlsCredentials> tls_;
  std::unique_ptr<httplib::Server> server_;
  std::string id_prefix_;
  std::atomic<long long> request_count_{0};
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> serve_returned_{false};
};

}  // namespace webhook
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_WEBHOOK_WEBHOOK_RECEIVER_H_

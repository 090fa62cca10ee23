// WebhookSender: posts webhook deliveries from a background thread, one
// attempt each, as Infisical does (15 s timeout, no retry), so that the write
// that caused them is answered without waiting.
#ifndef SECRETSYNC_LIB_DEVSERVER_WEBHOOK_SENDER_H_
#define SECRETSYNC_LIB_DEVSERVER_WEBHOOK_SENDER_H_

#include <cstddef>
#include <deque>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "lib/base/http_transport.h"
#include "lib/base/log.h"

namespace secretsync {
namespace devserver {

// One POST to send. `signature` empty: no x-infisical-signature header.
struct OutgoingWebhook {
  std::string webhook_id;
  std::string url;
  std::string body;
  std::string signature;
};

// Owns one worker thread that sends through `http` (the only user of it; its
// timeout is the caller's: CurlHttpTransport with a 15 s request timeout in
// RunDevServer). `http` and `log` must outlive it. Thread-safe.
//
// Enqueue() never blocks: past `max_queued` waiting deliveries the new one is
// dropped and logged (devserver.webhook_dropped), as a lost delivery is
// something Infisical's receivers must live with anyway. Each attempt logs
// devserver.webhook_sent (id, status) or devserver.webhook_failed (id, error
// code); never the body's signature or the key. The destructor drops what is
// still queued and joins the worker after its current attempt.
class WebhookSender {
 public:
  WebhookSender(HttpTransport& http, LogSink& log, size_t max_queued = 256);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Enqueue(OutgoingWebhook webhook);

 private:
  void Work();
  void Send(const OutgoingWebhook& webhook);

  HttpTransport& http_;
  LogSink& log_;
  const size_t max_queued_;
  absl::Mutex mu_;
  std::deque<OutgoingWebhook> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread worker_;
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_WEBHOOK_SENDER_H_

// WebhookSender: a bounded deque drained by one thread.
#include "lib/devserver/webhook_sender.h"

#include <utility>

#include "absl/status/status.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace devserver {

WebhookSender::WebhookSender(HttpTransport& http, LogSink& log, size_t max_queued)
    : http_(http), log_(log), max_queued_(max_queued), worker_([this] { Work(); }) {}

WebhookSender::~WebhookSender() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
  }
  worker_.join();
}

void WebhookSender::Enqueue(OutgoingWebhook webhook) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= max_queued_) {
    Logger(log_).Warn("devserver.webhook_dropped").Field("webhook", webhook.webhook_id);
    return;
  }
  queue_.push_back(std::move(webhook));
}

void WebhookSender::Work() {
  for (;;) {
    OutgoingWebhook next;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    Send(next);
  }
}

void WebhookSender::Send(const OutgoingWebhook& webhook) {
  HttpRequest request;
  request.method = "POST";
  request.url = webhook.url;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!webhook.signature.empty()) {
    request.headers.emplace_back(std::string(webhook::kSignatureHeader), webhook.signature);
  }
  request.body = webhook.body;
  absl::StatusOr<HttpResponse> response = http_.Send(request);
  if (!response.ok()) {
    Logger(log_)
        .Warn("devserver.webhook_failed")
        .Field("webhook", webhook.webhook_id)
        .Field("error", absl::StatusCodeToString(response.status().code()));
    return;
  }
  Logger(log_)
      .Info("devserver.webhook_sent")
      .Field("webhook", webhook.webhook_id)
      .Field("status", response->status);
}

}  // namespace devserver
}  // namespace secretsync

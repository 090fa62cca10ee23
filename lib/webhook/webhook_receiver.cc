// WebhookReceiver: routes, the capped body read, replies and the log line.
#include "lib/webhook/webhook_receiver.h"

#include <httplib.h>

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/webhook/internal/bounded_task_queue.h"
#include "lib/webhook/internal/tls_credentials.h"

namespace secretsync {
namespace webhook {
namespace {

// Fixed short bodies: a refusal tells a client nothing beyond its status.
const char* ReplyBody(int status) {
  switch (status) {
    case 200:
      return "ok\n";
    case 202:
      return "accepted\n";
    case 401:
      return "unauthorized\n";
    case 404:
      return "not found\n";
    case 413:
      return "payload too large\n";
    case 503:
      return "unavailable\n";
    default:
      return "bad request\n";
  }
}

void Reply(httplib::Response& res, int status) {
  res.status = status;
  res.set_content(ReplyBody(status), "text/plain");
}

std::optional<absl::string_view> Header(const httplib::Request& req, const char* name) {
  auto it = req.headers.find(name);  // httplib compares header names case-insensitively
  if (it == req.headers.end()) return std::nullopt;
  return absl::string_view(it->second);
}

void SetTimeout(absl::Duration d, const std::function<void(time_t, time_t)>& set) {
  int64_t us = absl::ToInt64Microseconds(d);
  set(static_cast<time_t>(us / 1000000), static_cast<time_t>(us % 1000000));
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Create(
    ReceiverOptions options, WebhookVerifier& verifier, DeliveryCallback callback, Clock& clock,
    Filesystem& fs, LogSink& log) {
  if (options.threads == 0) return absl::InvalidArgumentError("webhook receiver: threads is 0");
  if (options.tls_cert_path.empty() != options.tls_key_path.empty()) {
    return absl::InvalidArgumentError("webhook receiver: set both the TLS certificate and key");
  }
  std::unique_ptr<internal::TlsCredentials> tls;
  if (!options.tls_cert_path.empty()) {
    tls = std::make_unique<internal::TlsCredentials>(fs, options.tls_cert_path,
                                                     options.tls_key_path);
    if (absl::Status s = tls->Load(); !s.ok()) return s;
  }
  return std::unique_ptr<WebhookReceiver>(new WebhookReceiver(
      std::move(options), verifier, std::move(callback), clock, log, std::move(tls)));
}

WebhookReceiver::WebhookReceiver(ReceiverOptions options, WebhookVerifier& verifier,
                                 DeliveryCallback callback, Clock& clock, LogSink& log,
                                 std::unique_ptr<internal::TlsCredentials> tls)
    : options_(std::move(options)),
      verifier_(verifier),
      callback_(std::move(callback)),
      clock_(clock),
      log_(log),
      tls_(std::move(tls)),
      id_prefix_(absl::StrFormat("wh-%x-", absl::ToUnixSeconds(clock.TimeNow()))) {
  if (tls_ != nullptr) {
    internal::TlsCredentials* creds = tls_.get();
    server_ = std::make_unique<httplib::SSLServer>([creds](SSL_CTX& ctx) {
      creds->Install(ctx);
      return true;
    });
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  size_t threads = options_.threads;
  size_t queued = options_.max_queued_connections;
  server_->new_task_queue = [threads, queued] {
    return new internal::BoundedTaskQueue(threads, queued);
  };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(1);
  SetTimeout(options_.read_timeout, [this](time_t s, time_t us) {
    server_->set_read_timeout(s, us);
  });
  SetTimeout(options_.read_timeout, [this](time_t s, time_t us) {
    server_->set_write_timeout(s, us);
  });
  // A Content-Length over the limit is refused before any byte is read.
  server_->set_payload_max_length(verifier_.max_body_bytes());
  if (options_.on_refused) {
    // httplib calls the logger once per reply, including those it sends
    // itself (413 for a Content-Length over the payload limit).
    server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (req.method == "POST" && res.status >= 400) options_.on_refused(res.status);
    });
  }
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200);
  });
  auto not_found = [](const httplib::Request&, httplib::Response& res) { Reply(res, 404); };
  server_->Get(".*", not_found);
  server_->Put(".*", not_found);
  server_->Patch(".*", not_found);
  server_->Delete(".*", not_found);
  server_->Options(".*", not_found);
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    HandlePost(req, res, reader);
  });
}

WebhookReceiver::~WebhookReceiver() = default;

std::string WebhookReceiver::NextRequestId() {
  return absl::StrCat(id_prefix_, ++request_count_);
}

absl::StatusOr<int> WebhookReceiver::Bind(const std::string& host, int port) {
  bool ok =
      port == 0 ? (port = server_->bind_to_any_port(host)) > 0 : server_->bind_to_port(host, port);
  if (!ok || port <= 0) {
    return absl::UnavailableError(absl::StrCat("webhook listen: cannot bind ", host, ":", port));
  }
  return port;
}

absl::Status WebhookReceiver::Serve() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_) return absl::OkStatus();
    serving_ = true;
  }
  bool ok = server_->listen_after_bind();
  serve_returned_.store(true);
  if (!ok) return absl::UnavailableError("webhook listen: accept loop failed");
  return absl::OkStatus();
}

void WebhookReceiver::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_requested_ = true;
    if (!serving_) return;
  }
  // httplib's stop() is a no-op until its accept loop has started.
  while (!serve_returned_.load()) {
    server_->stop();
    if (serve_returned_.load()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

absl::Status WebhookReceiver::ReloadTls() {
  if (tls_ == nullptr) return absl::FailedPreconditionError("webhook receiver: plain HTTP");
  return tls_->Load();
}

void WebhookReceiver::HandlePost(const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
  std::string id = NextRequestId();
  res.set_header("X-Request-Id", id);
  Logger logger(log_);
  if (!options_.path.empty() && req.path != options_.path) {
    Reply(res, 404);  // the body is left unread; the connection closes
    return;
  }
  const size_t limit = verifier_.max_body_bytes();
  std::string body;
  bool too_large = false;
  bool too_slow = false;
  absl::Time first_byte = clock_.TimeNow();
  bool complete = reader([&](const char* data, size_t length) {
    if (length > limit - body.size()) {
      too_large = true;
      return false;  // stop reading: the rest is never buffered
    }
    if (clock_.TimeNow() - first_byte > options_.body_deadline) {
      too_slow = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  int status = 0;
  std::string reason;
  if (too_large || (!complete && res.status == 413)) {
    status = 413;
    reason = "body over the limit";
  } else if (too_slow) {
    status = 413;
    reason = "body not complete within the deadline";
  } else if (!complete) {
    status = 400;
    reason = "body not complete";
  } else {
    absl::StatusOr<Delivery> delivery =
        verifier_.Verify({Header(req, "Content-Type"), Header(req, "x-infisical-signature"), body});
    if (delivery.ok() && options_.admit) {
      if (absl::Status admitted = options_.admit(*delivery); !admitted.ok()) delivery = admitted;
    }
    if (delivery.ok()) {
      callback_(*delivery, id);
      Reply(res, 202);
      logger.Info("webhook.accepted")
          .Field("id", id)
          .Field("event", delivery->event)
          .Field("workspace", delivery->workspace_id)
          .Field("env", delivery->environment)
          .Field("secret_path", delivery->secret_path);
      return;
    }
    status = HttpStatusForRefusal(delivery.status());
    reason = std::string(delivery.status().message());
  }
  Reply(res, status);
  logger.Warn("webhook.refused")
      .Field("id", id)
      .Field("status", status)
      .Field("remote", req.remote_addr)
      .Field("reason", reason);
}

}  // namespace webhook
}  // namespace secretsync

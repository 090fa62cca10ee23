// The cpp-httplib binding: request conversion, transport faults, request log.
#include "lib/devserver/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace secretsync {
namespace devserver {
namespace {

constexpr size_t kChunk = 64 * 1024;

ApiRequest ToApiRequest(const httplib::Request& req, std::string body) {
  ApiRequest out;
  out.method = req.method;
  out.path = req.path;
  for (const auto& [key, value] : req.params) out.query.emplace(key, value);
  for (const auto& [key, value] : req.headers) {
    out.headers.emplace(absl::AsciiStrToLower(key), value);
  }
  out.body = std::move(body);
  out.remote_addr = req.remote_addr;
  return out;
}

void WriteResponse(const ApiResponse& api, httplib::Response& res) {
  res.status = api.status;
  for (const auto& [key, value] : api.headers) res.set_header(key, value);
  if (api.status == 304) return;
  res.set_content(api.body, api.content_type.c_str());
}

// Byte `i` of an oversized body of `total` bytes: {"secrets":[],"padding":"xxx...x"}.
std::string OversizedChunk(size_t offset, size_t length, size_t total) {
  static const std::string kPrefix = "{\"secrets\":[],\"padding\":\"";
  static const std::string kSuffix = "\"}";
  std::string out(length, 'x');
  for (size_t i = 0; i < length; ++i) {
    size_t at = offset + i;
    if (at < kPrefix.size()) {
      out[i] = kPrefix[at];
    } else if (at >= total - kSuffix.size()) {
      out[i] = kSuffix[at - (total - kSuffix.size())];
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DevHttpServer>> DevHttpServer::Create(DevApi& api,
                                                                     FaultInjector* faults,
                                                                     Clock& clock, LogSink& log,
                                                                     const TlsFiles& tls,
                                                                     size_t max_request_bytes) {
  if (max_request_bytes == 0) {
    return absl::InvalidArgumentError("max request bytes: must be at least 1");
  }
  bool use_tls = !tls.cert_path.empty() || !tls.key_path.empty();
  std::unique_ptr<httplib::Server> server;
  if (use_tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(tls.cert_path.c_str(), tls.key_path.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tls: cannot load certificate ", tls.cert_path, " or key ", tls.key_path));
    }
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  std::unique_ptr<DevHttpServer> out(
      new DevHttpServer(api, faults, clock, log, use_tls, max_request_bytes, std::move(server)));
  return out;
}

DevHttpServer::DevHttpServer(DevApi& api, FaultInjector* faults, Clock& clock, LogSink& log,
                             bool tls, size_t max_request_bytes,
                             std::unique_ptr<httplib::Server> server)
    : api_(api),
      faults_(faults),
      clock_(clock),
      log_(log),
      tls_(tls),
      max_request_bytes_(max_request_bytes),
      server_(std::move(server)) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    HandleHttp(req, req.body, res);
  };
  // Methods with a body read it themselves, so that its size is checked as
  // it arrives instead of after httplib has buffered all of it.
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    HandleWithBody(req, res, reader);
  };
  // Headers and body go out in separate writes; without TCP_NODELAY the body
  // waits ~40 ms for the client's delayed ACK on a reused connection.
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(max_request_bytes_);
  server_->Get(".*", handler);
  server_->Post(".*", with_body);
  server_->Patch(".*", with_body);
  server_->Delete(".*", with_body);
  server_->Put(".*", with_body);
  server_->Options(".*", handler);
}

DevHttpServer::~DevHttpServer() = default;

absl::StatusOr<int> DevHttpServer::Bind(const std::string& host, int port) {
  bool ok =
      port == 0 ? (port = server_->bind_to_any_port(host)) > 0 : server_->bind_to_port(host, port);
  if (!ok || port <= 0) {
    return absl::UnavailableError(absl::StrCat("listen: cannot bind ", host, ":", port));
  }
  return port;
}

absl::Status DevHttpServer::Serve() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_) return absl::OkStatus();
    serving_ = true;
  }
  bool ok = server_->listen_after_bind();
  serve_returned_.store(true);
  if (!ok) return absl::UnavailableError("listen: accept loop failed");
  return absl::OkStatus();
}

void DevHttpServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_requested_ = true;
    if (!serving_) return;
  }
  while (!serve_returned_.load()) {
    server_->stop();
    if (serve_returned_.load()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void DevHttpServer::HandleWithBody(const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader) {
  absl::Time start = clock_.TimeNow();
  std::string body;
  bool too_large = false;
  bool complete = reader([&](const char* data, size_t length) {
    if (too_large || length > max_request_bytes_ - body.size()) {
      // Keep reading (and dropping) the rest so the connection stays in step.
      if (!too_large) std::string().swap(body);
      too_large = true;
      return true;
    }
    body.append(data, length);
    return true;
  });
  // httplib answers a Content-Length over its payload limit with 413 and
  // skips the body without calling the receiver.
  if (too_large || (!complete && res.status == 413)) {
    std::string req_id = absl::StrFormat("req-413%011d", ++refused_count_);
    WriteResponse(PayloadTooLargeResponse(max_request_bytes_, req_id), res);
    Logger(log_)
        .Info("devserver.request")
        .Field("method", req.method)
        .Field("path", req.path)
        .Field("status", res.status)
        .Field("ms", absl::ToInt64Milliseconds(clock_.TimeNow() - start))
        .Field("refused", "body_too_large");
    return;
  }
  if (!complete) {
    res.status = 400;  // the client went away or sent a broken chunked body
    return;
  }
  HandleHttp(req, std::move(body), res);
}

void DevHttpServer::HandleHttp(const httplib::Request& req, std::string body,
                               httplib::Response& res) {
  absl::Time start = clock_.TimeNow();
  std::optional<Fault> fault;
  if (faults_ != nullptr && absl::StartsWith(req.path, "/api")) fault = faults_->Take(req.path);
  if (fault.has_value() && fault->mode == FaultMode::kDelay) {
    clock_.Sleep(absl::Milliseconds(fault->delay_ms));
    fault.reset();
  }
  std::string injected;
  if (!fault.has_value()) {
    WriteResponse(api_.Handle(ToApiRequest(req, std::move(body))), res);
  } else {
    std::string req_id = absl::StrFormat("req-fault%09d", ++fault_count_);
    switch (fault->mode) {
      case FaultMode::kCloseMidBody: {
        injected = "close_mid_body";
        res.status = 200;
        const size_t total = 4096;
        res.set_content_provider(total, "application/json; charset=utf-8",
                                 [total](size_t offset, size_t, httplib::DataSink& sink) {
                                   if (offset >= total / 2)
                                     return false;  // abort: the connection closes
                                   std::string half =
                                       OversizedChunk(offset, total / 2 - offset, total);
                                   sink.write(half.data(), half.size());
                                   return true;
                                 });
        break;
      }
      case FaultMode::kOversized: {
        injected = "oversized";
        res.status = 200;
        const size_t total = static_cast<size_t>(fault->oversized_bytes);
        res.set_content_provider(total, "application/json; charset=utf-8",
                                 [total](size_t offset, size_t length, httplib::DataSink& sink) {
                                   std::string chunk =
                                       OversizedChunk(offset, std::min(length, kChunk), total);
                                   sink.write(chunk.data(), chunk.size());
                                   return true;
                                 });
        break;
      }
      default:
        injected = fault->mode == FaultMode::kStatus          ? "status"
                   : fault->mode == FaultMode::kMalformedJson ? "malformed_json"
                                                              : "truncated_json";
        WriteResponse(FaultResponse(*fault, req_id), res);
        break;
    }
  }
  LogEvent event = Logger(log_).Info("devserver.request");
  event.Field("method", req.method)
      .Field("path", req.path)
      .Field("status", res.status)
      .Field("ms", absl::ToInt64Milliseconds(clock_.TimeNow() - start));
  if (!injected.empty()) event.Field("fault", injected);
}

}  // namespace devserver
}  // namespace secretsync

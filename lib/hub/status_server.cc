// StatusServer over cpp-httplib, and its client for `hub --status`.
#include "lib/hub/status_server.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace hub {
namespace {

bool SplitAddress(const std::string& address, std::string& host, int& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return absl::SimpleAtoi(address.substr(colon + 1), &port);
}

}  // namespace

StatusServer::StatusServer(std::function<std::string()> status)
    : server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  server_->set_read_timeout(3, 0);
  server_->Get("/status", [status](const httplib::Request&, httplib::Response& res) {
    res.set_content(status(), "application/json");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
}

StatusServer::~StatusServer() = default;

absl::StatusOr<int> StatusServer::Bind(const std::string& address) {
  std::string host;
  int port = 0;
  if (!SplitAddress(address, host, port)) {
    return absl::InvalidArgumentError(absl::StrCat("status address ", address, ": want HOST:PORT"));
  }
  const bool ok =
      port == 0 ? (port = server_->bind_to_any_port(host)) > 0 : server_->bind_to_port(host, port);
  if (!ok) return absl::UnavailableError(absl::StrCat("status: cannot bind ", address));
  return port;
}

void StatusServer::Serve() { server_->listen_after_bind(); }

void StatusServer::Stop() { server_->stop(); }

absl::StatusOr<std::string> FetchStatus(const std::string& address) {
  std::string host;
  int port = 0;
  if (!SplitAddress(address, host, port)) {
    return absl::InvalidArgumentError(absl::StrCat("status address ", address, ": want HOST:PORT"));
  }
  httplib::Client client(host, port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  httplib::Result res = client.Get("/status");
  if (!res || res->status != 200) {
    return absl::UnavailableError(absl::StrCat("status: no answer from http://", address));
  }
  return res->body;
}

}  // namespace hub
}  // namespace secretsync

// FakeHttpTransport (see fake_http_transport.h).
#include "lib/testing/fake_http_transport.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace secretsync {

HttpResponse JsonReply(int status, absl::string_view body,
                       std::vector<std::pair<std::string, std::string>> headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.headers.emplace_back("content-type", "application/json; charset=utf-8");
  r.body = std::string(body);
  return r;
}

std::string UrlPath(absl::string_view url) {
  std::string label = HttpRequestLabel("X", url);
  return label.substr(2);
}

std::string QueryParam(absl::string_view url, absl::string_view name) {
  size_t q = url.find('?');
  if (q == absl::string_view::npos) return "";
  for (absl::string_view pair : absl::StrSplit(url.substr(q + 1), '&')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.first == name) return std::string(kv.second);
  }
  return "";
}

void FakeHttpTransport::On(absl::string_view method, absl::string_view path_prefix,
                           absl::StatusOr<HttpResponse> reply) {
  absl::MutexLock lock(&mu_);
  for (Route& route : routes_) {
    if (route.method == method && route.prefix == path_prefix) {
      route.replies.push_back(std::move(reply));
      return;
    }
  }
  routes_.push_back(Route{std::string(method), std::string(path_prefix), {}});
  routes_.back().replies.push_back(std::move(reply));
}

absl::StatusOr<HttpResponse> FakeHttpTransport::Send(const HttpRequest& request) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(request);
  const std::string path = UrlPath(request.url);
  for (Route& route : routes_) {
    if (route.method != request.method || !absl::StartsWith(path, route.prefix)) continue;
    absl::StatusOr<HttpResponse> reply = route.replies.front();
    if (route.replies.size() > 1) route.replies.pop_front();
    return reply;
  }
  return absl::InternalError(absl::StrCat("fake: no reply for ", HttpRequestLabel(request)));
}

std::vector<HttpRequest> FakeHttpTransport::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

size_t FakeHttpTransport::request_count() const {
  absl::MutexLock lock(&mu_);
  return requests_.size();
}

size_t FakeHttpTransport::CountOf(absl::string_view label) const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const HttpRequest& r : requests_) n += HttpRequestLabel(r) == label ? 1 : 0;
  return n;
}

}  // namespace secretsync

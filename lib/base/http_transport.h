// HttpTransport seam: one HTTP exchange. CurlHttpTransport in main(),
// FakeHttpTransport in tests. Non-2xx replies are values, not errors.
#ifndef SECRETSYNC_LIB_BASE_HTTP_TRANSPORT_H_
#define SECRETSYNC_LIB_BASE_HTTP_TRANSPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {

// Request and reply bodies carry secret values (login bodies, written values,
// listed secrets) and the Authorization header carries the token. They stay
// plain std::string, because the transports and the JSON layer work on the
// bytes, but every HttpRequest/HttpResponse wipes them (WipeString) when it is
// destroyed or assigned over, so no copy made here (nor a moved-from
// small-string buffer) outlives its object with the bytes in it, on error
// paths too.
struct HttpRequest {
  std::string method = "GET";  // GET, POST, PATCH, DELETE
  std::string url;             // absolute; never carries tokens
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent when non-empty (DELETE may carry a JSON body)

  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = default;
  HttpRequest(HttpRequest&&) = default;
  HttpRequest& operator=(const HttpRequest& other) {
    if (this != &other) {
      Wipe();
      method = other.method;
      url = other.url;
      headers = other.headers;
      body = other.body;
    }
    return *this;
  }
  HttpRequest& operator=(HttpRequest&& other) {
    if (this != &other) {
      Wipe();
      method = std::move(other.method);
      url = std::move(other.url);
      headers = std::move(other.headers);
      body = std::move(other.body);
    }
    return *this;
  }
  ~HttpRequest() { Wipe(); }

  // Wipes the body and every header value (the token), keeping the method,
  // URL and header names.
  void Wipe() {
    WipeString(body);
    for (auto& header : headers) WipeString(header.second);
  }
};

struct HttpResponse {
  int status = 0;
  // Names are lower-cased; values are as received, without surrounding spaces.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse() = default;
  HttpResponse(const HttpResponse&) = default;
  HttpResponse(HttpResponse&&) = default;
  HttpResponse& operator=(const HttpResponse& other) {
    if (this != &other) {
      WipeString(body);
      status = other.status;
      headers = other.headers;
      body = other.body;
    }
    return *this;
  }
  HttpResponse& operator=(HttpResponse&& other) {
    if (this != &other) {
      WipeString(body);
      status = other.status;
      headers = std::move(other.headers);
      body = std::move(other.body);
    }
    return *this;
  }
  ~HttpResponse() { WipeString(body); }

  // The first header named `name` (compared case-insensitively), or nullptr.
  const std::string* Header(absl::string_view name) const {
    for (const auto& h : headers) {
      if (absl::EqualsIgnoreCase(h.first, name)) return &h.second;
    }
    return nullptr;
  }
};

// "GET /api/v3/secrets/raw": the method and the URL's path without scheme,
// host or query, for error messages and logs (queries are never logged).
inline std::string HttpRequestLabel(absl::string_view method, absl::string_view url) {
  absl::string_view rest = url;
  size_t scheme = rest.find("://");
  if (scheme != absl::string_view::npos) {
    rest.remove_prefix(scheme + 3);
    size_t slash = rest.find('/');
    rest = slash == absl::string_view::npos ? absl::string_view("/") : rest.substr(slash);
  }
  size_t query = rest.find_first_of("?#");
  if (query != absl::string_view::npos) rest = rest.substr(0, query);
  return absl::StrCat(method, " ", rest);
}
inline std::string HttpRequestLabel(const HttpRequest& request) {
  return HttpRequestLabel(request.method, request.url);
}

// Sends one request and returns the reply, whatever its status code.
// Errors are transport failures only: DeadlineExceeded (timeout), Unavailable
// (connect, TLS, reset and other network errors), OutOfRange (reply larger
// than the configured cap), FailedPrecondition (the transport cannot work at
// all here, e.g. libcurl missing: never retried). Messages name the request by HttpRequestLabel and
// never contain headers or bodies. Thread safety is per implementation.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_HTTP_TRANSPORT_H_

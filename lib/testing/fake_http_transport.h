// FakeHttpTransport: canned HTTP replies and a request log for unit tests.
#ifndef SECRETSYNC_LIB_TESTING_FAKE_HTTP_TRANSPORT_H_
#define SECRETSYNC_LIB_TESTING_FAKE_HTTP_TRANSPORT_H_

#include <deque>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "lib/base/http_transport.h"

namespace secretsync {

// A reply with a JSON body (and content-type), plus optional extra headers.
HttpResponse JsonReply(int status, absl::string_view body,
                       std::vector<std::pair<std::string, std::string>> headers = {});

// Answers requests from routes: On(method, path_prefix, reply) appends a reply
// to that route's queue. A request takes the first route whose method matches
// and whose URL path (no scheme, host or query) starts with the prefix; queued
// replies are used in order and the last one repeats. Unmatched requests get
// Internal "fake: no reply for <label>". Every request is logged. Thread-safe.
class FakeHttpTransport : public HttpTransport {
 public:
  void On(absl::string_view method, absl::string_view path_prefix,
          absl::StatusOr<HttpResponse> reply);

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  std::vector<HttpRequest> requests() const;
  size_t request_count() const;
  // Requests whose label (HttpRequestLabel) equals `label`.
  size_t CountOf(absl::string_view label) const;

 private:
  struct Route {
    std::string method;
    std::string prefix;
    std::deque<absl::StatusOr<HttpResponse>> replies;
  };
  mutable absl::Mutex mu_;
  std::vector<Route> routes_;
  std::vector<HttpRequest> requests_;
};

// The path of an absolute URL, without scheme, host or query.
std::string UrlPath(absl::string_view url);
// The value of query parameter `name` in `url` (still percent-encoded), or "" .
std::string QueryParam(absl::string_view url, absl::string_view name);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_FAKE_HTTP_TRANSPORT_H_

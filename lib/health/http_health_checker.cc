// HttpHealthChecker: one CurlHttpTransport per attempt; curl errors become
// fixed words (the transport's messages are not passed on).
#include "lib/health/http_health_checker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/http_transport.h"
#include "lib/http/curl_http_transport.h"

namespace secretsync {
namespace health {
namespace {

// curl's fixed error texts, named as an operator would say them.
std::string DescribeFailure(const absl::Status& s, absl::Duration timeout) {
  if (absl::IsDeadlineExceeded(s)) {
    return absl::StrCat("timed out after ", absl::ToInt64Milliseconds(timeout), " ms");
  }
  if (absl::IsOutOfRange(s)) return absl::StrCat("reply larger than ", kMaxHealthBodyBytes, " bytes");
  if (absl::StrContains(s.message(), "Couldn't connect")) return "connection refused";
  if (absl::StrContains(s.message(), "resolve host")) return "cannot resolve the host";
  if (absl::StrContains(s.message(), "SSL") || absl::StrContains(s.message(), "certificate")) {
    return "TLS handshake or certificate check failed";
  }
  if (absl::IsFailedPrecondition(s)) return "libcurl is not available";
  return "connection failed";
}

}  // namespace

std::string UrlWithoutCredentials(absl::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == absl::string_view::npos) return std::string(url);
  const size_t start = scheme + 3;
  const size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const size_t at = url.substr(start, end - start).rfind('@');
  if (at == absl::string_view::npos) return std::string(url);
  return absl::StrCat(url.substr(0, start), "***@", url.substr(start + at + 1));
}

HttpHealthChecker::HttpHealthChecker(v1::HttpHealthCheck config) : config_(std::move(config)) {}

std::string HttpHealthChecker::Label() const {
  return absl::StrCat("GET ", UrlWithoutCredentials(config_.url()));
}

AttemptResult HttpHealthChecker::Attempt(absl::Duration timeout) {
  http::CurlTransportOptions options;
  options.ca_bundle = config_.ca_bundle();
  options.insecure_skip_verify = config_.insecure_skip_verify();
  options.connect_timeout = timeout;
  options.request_timeout = timeout;
  options.max_response_bytes = kMaxHealthBodyBytes;
  http::CurlHttpTransport transport(std::move(options));
  HttpRequest request;
  request.url = config_.url();
  absl::StatusOr<HttpResponse> response = transport.Send(request);
  if (!response.ok()) return {false, DescribeFailure(response.status(), timeout)};
  const int want = config_.expect_status() == 0 ? 200 : static_cast<int>(config_.expect_status());
  if (response->status != want) {
    return {false, absl::StrCat("status ", response->status, ", want ", want)};
  }
  if (!config_.expect_body_substring().empty() &&
      !absl::StrContains(response->body, config_.expect_body_substring())) {
    return {false, absl::StrCat("status ", want, " but the body lacks the expected text")};
  }
  return {true, absl::StrCat("status ", want)};
}

}  // namespace health
}  // namespace secretsync

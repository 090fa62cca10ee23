// CurlHttpTransport implementation (see curl_http_transport.h).
#include "lib/http/curl_http_transport.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/check.h"
#include "lib/base/secret_value.h"
#include "lib/http/curl_library.h"

namespace secretsync {
namespace http {
namespace internal {
void CurlEasyDeleter::operator()(CURL* handle) const {
  // A handle exists only once the library has loaded.
  (*LoadCurlLibrary())->easy_cleanup(handle);
}
}  // namespace internal

namespace {

constexpr size_t kParserSlack = 64;  // spare room after a Content-Length body

struct CurlSlistDeleter {
  const CurlLibrary* curl;
  void operator()(curl_slist* list) const { curl->slist_free_all(list); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

struct Transfer {
  HttpResponse response;
  uint64_t cap = 0;
  bool over_cap = false;
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->response.body.size() + n > t->cap) {
    t->over_cap = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  std::string& body = t->response.body;
  if (body.size() + n > body.capacity()) {
    // Grow by hand so that the old buffer, which holds secret values, is
    // wiped before it is freed (append would free it as it is).
    std::string grown;
    grown.reserve(static_cast<size_t>(
        std::min<uint64_t>(t->cap, std::max<uint64_t>(body.size() + n, 2 * body.capacity()))));
    grown.append(body);
    WipeString(body);
    body.swap(grown);
  }
  body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response.headers.clear();  // a new header block (e.g. after 100 Continue)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  uint64_t length = 0;
  if (name == "content-length" && absl::SimpleAtoi(value, &length)) {
    // One allocation for the body instead of doubling it from empty: a 6 MB
    // list reply otherwise leaves ~6 MB of freed, unwiped copies behind and
    // faults in twice the pages. Capped, so a lying server cannot make us
    // reserve more than we would accept. 64 bytes to spare: a parser that
    // pads the body in place (the list parser's 16 NUL bytes for its SIMD
    // scans) then grows it without copying 6 MB into a doubled buffer.
    t->response.body.reserve(static_cast<size_t>(std::min(length, t->cap)) + kParserSlack);
  }
  t->response.headers.emplace_back(std::move(name), std::move(value));
  return n;
}

long Millis(absl::Duration d) { return static_cast<long>(absl::ToInt64Milliseconds(d)); }

}  // namespace

CurlHttpTransport::CurlHttpTransport(CurlTransportOptions options)
    : options_(std::move(options)) {}

CurlHttpTransport::~CurlHttpTransport() = default;

absl::StatusOr<HttpResponse> CurlHttpTransport::Send(const HttpRequest& request) {
  const std::string label = HttpRequestLabel(request);
  absl::StatusOr<const CurlLibrary*> loaded = LoadCurlLibrary();
  if (!loaded.ok()) {
    // A missing or too old libcurl is an installation problem that no retry
    // fixes: FailedPrecondition (78, fix the deployment), not Unavailable.
    return absl::FailedPreconditionError(absl::StrCat(label, ": ", loaded.status().message()));
  }
  const CurlLibrary& curl = **loaded;
  if (handle_ == nullptr) {
    handle_.reset(curl.easy_init());
    if (handle_ == nullptr) return absl::InternalError(absl::StrCat(label, ": curl_easy_init failed"));
  }
  CURL* h = handle_.get();
  // Reset clears options but keeps the connection cache: keep-alive survives.
  curl.easy_reset(h);

  CurlSlistPtr headers(nullptr, CurlSlistDeleter{&curl});
  auto add_header = [&headers, &curl](const std::string& line) {
    curl_slist* next = curl.slist_append(headers.get(), line.c_str());
    SS_CHECK(next != nullptr);
    headers.release();
    headers.reset(next);
  };
  for (const auto& [name, value] : request.headers) add_header(absl::StrCat(name, ": ", value));
  add_header("Expect:");  // no 100-continue round trip for bodies
  if (!request.body.empty()) {
    bool has_type = false;
    for (const auto& header : request.headers) {
      if (absl::EqualsIgnoreCase(header.first, "content-type")) has_type = true;
    }
    if (!has_type) add_header("Content-Type: application/json");
  }

  Transfer transfer;
  transfer.cap = options_.max_response_bytes;

  bool ok = true;
  auto set = [&ok](CURLcode code) { ok = ok && code == CURLE_OK; };
  set(curl.easy_setopt(h, CURLOPT_URL, request.url.c_str()));
  set(curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.insecure_skip_verify ? 0L : 1L));
  set(curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.insecure_skip_verify ? 0L : 2L));
  if (!options_.ca_bundle.empty()) {
    set(curl.easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str()));
    set(curl.easy_setopt(h, CURLOPT_CAPATH, nullptr));
  }
  set(curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, Millis(options_.connect_timeout)));
  set(curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, Millis(options_.request_timeout)));
  set(curl.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(options_.max_response_bytes)));
  set(curl.easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str()));
  set(curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""));  // whatever curl can decode
  set(curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));
  set(curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody));
  set(curl.easy_setopt(h, CURLOPT_WRITEDATA, &transfer));
  set(curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader));
  set(curl.easy_setopt(h, CURLOPT_HEADERDATA, &transfer));
  if (request.method == "GET") {
    set(curl.easy_setopt(h, CURLOPT_HTTPGET, 1L));
  } else {
    set(curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
  }
  if (!request.body.empty() || request.method == "POST") {
    set(curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size())));
    set(curl.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()));
  }
  if (!ok) return absl::InternalError(absl::StrCat(label, ": cannot configure libcurl"));

  CURLcode code = curl.easy_perform(h);
  // The handle keeps pointers to `headers` and the body; drop them now.
  curl.easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl.easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
  if (transfer.over_cap || code == CURLE_FILESIZE_EXCEEDED) {
    return absl::OutOfRangeError(absl::StrCat(label, ": reply exceeds max_response_bytes ",
                                              options_.max_response_bytes));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(absl::StrCat(label, ": timed out"));
  }
  if (code != CURLE_OK) {
    // curl_easy_strerror is a fixed text per code; it never quotes data.
    return absl::UnavailableError(absl::StrCat(label, ": ", curl.easy_strerror(code)));
  }
  long status = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace http
}  // namespace secretsync

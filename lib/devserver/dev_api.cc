// DevApi: routing, rate limiting, ETags and the fault-control route of the
// Infisical-compatible API; the endpoints themselves are in *_endpoints.cc.
#include "lib/devserver/dev_api.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/devserver/api_context.h"
#include "lib/devserver/api_error.h"
#include "lib/devserver/auth_endpoints.h"
#include "lib/devserver/batch_endpoints.h"
#include "lib/devserver/json_text.h"
#include "lib/devserver/project_endpoints.h"
#include "lib/devserver/rate_limiter.h"
#include "lib/devserver/secret_read_endpoints.h"
#include "lib/devserver/secret_write_endpoints.h"
#include "lib/devserver/webhook_endpoints.h"
#include "lib/devserver/webhook_events.h"

namespace secretsync {
namespace devserver {
namespace {

namespace v1 = ::secretsync::v1;
using internal::ApiContext;
using internal::ApiError;
using internal::Json;

std::string Base36(uint32_t v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.push_back("0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool EtagMatches(absl::string_view if_none_match, absl::string_view etag) {
  for (absl::string_view candidate : absl::StrSplit(if_none_match, ',')) {
    candidate = absl::StripAsciiWhitespace(candidate);
    if (candidate == "*") return true;
    if (absl::StartsWith(candidate, "W/")) candidate.remove_prefix(2);
    if (candidate == etag) return true;
  }
  return false;
}

// The client a rate limit counts: the first X-Forwarded-For address, else the peer.
std::string ClientOf(const ApiRequest& req) {
  auto xff = req.headers.find("x-forwarded-for");
  if (xff == req.headers.end() || xff->second.empty()) return req.remote_addr;
  return std::string(absl::StripAsciiWhitespace(
      std::vector<absl::string_view>(absl::StrSplit(xff->second, ','))[0]));
}

// The reply past the limit, in Cloud's shape (429) or the self-hosted one (500).
absl::Status RateLimited(int http_status, const RateDecision& decision) {
  if (http_status == 429) {
    return ApiError({429, "RateLimitExceeded",
                     absl::StrCat("Rate limit exceeded. Please try again in ",
                                  decision.reset_seconds, " seconds")});
  }
  return ApiError({http_status, "InternalServerError", "Something went wrong"});
}

std::string NewRequestId(RandomSource& random) {
  constexpr absl::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t bytes[14] = {};
  if (!random.Fill(bytes, sizeof(bytes)).ok()) return "req-00000000000000";
  std::string id = "req-";
  for (uint8_t b : bytes) id.push_back(kAlphabet[b % kAlphabet.size()]);
  return id;
}

}  // namespace

class DevApi::Impl {
 public:
  Impl(std::unique_ptr<DevStore> store, Clock& clock, RandomSource& random, LogSink& log,
       DevApiOptions options, PersistFn persist)
      : ctx_(std::move(store), clock, log, std::move(persist)), random_(random), options_(options) {
    if (options_.rate_limit_per_minute > 0) {
      rate_limiter_ = std::make_unique<RateLimiter>(clock, options_.rate_limit_per_minute);
    }
    if (options_.webhooks != nullptr) {
      ctx_.set_on_secrets_changed(
          [this](const std::string& project_id, const std::string& env, const std::string& path) {
            for (OutgoingWebhook& delivery :
                 DeliveriesForChange(ctx_.store().state(), project_id, env, path,
                                     absl::ToUnixMillis(ctx_.clock().TimeNow()))) {
              options_.webhooks->Enqueue(std::move(delivery));
            }
          });
    }
  }

  ApiResponse Handle(const ApiRequest& req);
  v1::DevSeed state() { return ctx_.store().state(); }

 private:
  absl::StatusOr<Json> Route(const ApiRequest& req, const std::string& path);
  absl::StatusOr<Json> Faults(const ApiRequest& req);

  ApiContext ctx_;
  RandomSource& random_;
  DevApiOptions options_;
  std::unique_ptr<RateLimiter> rate_limiter_;
};

ApiResponse DevApi::Impl::Handle(const ApiRequest& req) {
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string req_id = NewRequestId(random_);
  std::vector<std::pair<std::string, std::string>> limit_headers;
  if (rate_limiter_ != nullptr && absl::StartsWith(path, "/api/") && path != "/api/status") {
    RateDecision decision = rate_limiter_->Check(ClientOf(req));
    limit_headers.emplace_back("x-ratelimit-limit", absl::StrCat(decision.limit));
    limit_headers.emplace_back("x-ratelimit-remaining", absl::StrCat(decision.remaining));
    limit_headers.emplace_back("x-ratelimit-reset", absl::StrCat(decision.reset_seconds));
    if (!decision.allowed) {
      ApiResponse limited =
          internal::ErrorResponse(RateLimited(options_.rate_limit_status, decision), req_id);
      limited.headers = std::move(limit_headers);
      limited.headers.emplace_back("retry-after", absl::StrCat(decision.reset_seconds));
      return limited;
    }
  }
  absl::StatusOr<Json> result = Route(req, path);
  ApiResponse response;
  if (!result.ok()) {
    response = internal::ErrorResponse(result.status(), req_id);
    response.headers = std::move(limit_headers);
    return response;
  }
  response.headers = std::move(limit_headers);
  response.body = internal::Dump(*result);
  std::string etag = StrongEtag(response.body);
  response.headers.emplace_back("etag", etag);
  auto inm = req.headers.find("if-none-match");
  if (inm != req.headers.end() && EtagMatches(inm->second, etag)) {
    response.status = 304;
    response.body.clear();
  }
  return response;
}

absl::StatusOr<Json> DevApi::Impl::Route(const ApiRequest& req, const std::string& path) {
  std::vector<std::string> s = absl::StrSplit(path, '/', absl::SkipEmpty());
  const std::string& m = req.method;
  auto is = [&](std::initializer_list<const char*> want) {
    if (want.size() != s.size()) return false;
    size_t i = 0;
    for (const char* w : want) {
      if (w[0] != ':' && s[i] != w) return false;
      ++i;
    }
    return true;
  };
  if (m == "GET" && is({"api", "status"})) return internal::StatusEndpoint(ctx_);
  if (m == "POST" && is({"api", "v1", "auth", "universal-auth", "login"})) {
    return internal::Login(ctx_, req);
  }
  if (m == "POST" && is({"api", "v1", "auth", "token", "renew"})) return internal::Renew(ctx_, req);
  if (m == "POST" && is({"api", "v1", "auth", "token", "revoke"})) {
    return internal::Revoke(ctx_, req);
  }
  if (m == "GET" && is({"api", "v1", "projects", "slug", ":slug"})) {
    return internal::ProjectBySlug(ctx_, req, path, s[4]);
  }
  if (m == "GET" && is({"api", "v1", "projects", ":id"})) {
    return internal::ProjectById(ctx_, req, path, s[3]);
  }
  bool write = m == "POST" || m == "PATCH" || m == "DELETE";
  if (is({"api", "v3", "secrets", "batch", "raw"}) && write) {
    return internal::BatchWrite(ctx_, req, 3, path);
  }
  if (is({"api", "v4", "secrets", "batch"}) && write)
    return internal::BatchWrite(ctx_, req, 4, path);
  if (m == "GET" && is({"api", "v3", "secrets", "raw"})) {
    return internal::ListSecrets(ctx_, req, 3, path);
  }
  if (m == "GET" && is({"api", "v4", "secrets"})) return internal::ListSecrets(ctx_, req, 4, path);
  if (is({"api", "v3", "secrets", "raw", ":name"})) {
    if (m == "GET") return internal::GetSecret(ctx_, req, 3, path, s[4]);
    if (write) return internal::WriteSecret(ctx_, req, 3, path, s[4]);
  }
  if (is({"api", "v4", "secrets", ":name"})) {
    if (m == "GET") return internal::GetSecret(ctx_, req, 4, path, s[3]);
    if (write) return internal::WriteSecret(ctx_, req, 4, path, s[3]);
  }
  if (m == "POST" && is({"api", "v1", "webhooks"})) return internal::CreateWebhook(ctx_, req, path);
  if (m == "POST" && is({"api", "v1", "webhooks", ":id", "test"})) {
    return internal::TestWebhook(ctx_, req, path, s[3], [this](OutgoingWebhook delivery) {
      if (options_.webhooks != nullptr) options_.webhooks->Enqueue(std::move(delivery));
    });
  }
  if (options_.faults != nullptr && is({"__devserver", "faults"}) &&
      (m == "POST" || m == "DELETE")) {
    return Faults(req);
  }
  return ApiError({404, "Not Found", absl::StrCat("Route ", m, ":", path, " not found")});
}

absl::StatusOr<Json> DevApi::Impl::Faults(const ApiRequest& req) {
  if (req.method == "DELETE") {
    options_.faults->Clear();
  } else {
    absl::StatusOr<Fault> fault = ParseFault(req.body);
    if (!fault.ok()) return internal::BadRequest(fault.status().message());
    options_.faults->Add(*std::move(fault));
  }
  Json j;
  j["ok"] = true;
  return j;
}

DevApi::DevApi(std::unique_ptr<DevStore> store, Clock& clock, RandomSource& random, LogSink& log,
               DevApiOptions options, PersistFn persist)
    : impl_(std::make_unique<Impl>(std::move(store), clock, random, log, options,
                                   std::move(persist))) {}

DevApi::~DevApi() = default;

ApiResponse DevApi::Handle(const ApiRequest& request) {
  absl::MutexLock lock(&mu_);
  return impl_->Handle(request);
}

v1::DevSeed DevApi::StateSnapshot() {
  absl::MutexLock lock(&mu_);
  return impl_->state();
}

ApiResponse FaultResponse(const Fault& fault, absl::string_view request_id) {
  ApiResponse response;
  switch (fault.mode) {
    case FaultMode::kStatus: {
      absl::string_view error = fault.status == 429   ? "RateLimitExceeded"
                                : fault.status >= 500 ? "InternalServerError"
                                                      : "BadRequest";
      response = internal::ErrorResponse(
          ApiError({fault.status, std::string(error), fault.message}), request_id);
      if (fault.retry_after_seconds.has_value()) {
        response.headers.emplace_back("retry-after", absl::StrCat(*fault.retry_after_seconds));
      }
      if (fault.rate_limit_headers) {
        // What a limited reply of real Infisical carries besides retry-after.
        int reset = fault.retry_after_seconds.value_or(60);
        response.headers.emplace_back("x-ratelimit-limit", "1");
        response.headers.emplace_back("x-ratelimit-remaining", "0");
        response.headers.emplace_back("x-ratelimit-reset", absl::StrCat(reset));
      }
      break;
    }
    case FaultMode::kMalformedJson:
      response.body = "{\"secrets\":[{\"secretKey\":\"A\",,]}<html>";
      break;
    case FaultMode::kTruncatedJson:
      response.body = "{\"secrets\":[{\"id\":\"1\",\"secretKey\":\"A\",\"secretVal";
      break;
    default:
      response.status = 500;
      response.body = "{}";
      break;
  }
  return response;
}

ApiResponse PayloadTooLargeResponse(size_t max_bytes, absl::string_view request_id) {
  return internal::ErrorResponse(
      ApiError({413, "Payload Too Large",
                absl::StrCat("Request body is larger than ", max_bytes, " bytes")}),
      request_id);
}

std::string StrongEtag(absl::string_view body) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 16777619u;
  }
  return absl::StrCat("\"", Base36(hash), "\"");
}

}  // namespace devserver
}  // namespace secretsync

// Fault parsing and the fault queue.
#include "lib/devserver/fault_injector.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace {

using Json = nlohmann::ordered_json;

absl::Status IntField(const Json& body, const char* name, int64_t min, int64_t max, int64_t* out) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault field ", name, ": must be an integer in [", min, ", ", max, "]"));
  }
  *out = it->get<int64_t>();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Fault> ParseFault(absl::string_view json_body) {
  Json body = Json::parse(json_body.begin(), json_body.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (!body.is_object()) return absl::InvalidArgumentError("fault: body is not a JSON object");
  Fault fault;
  auto mode = body.find("mode");
  if (mode == body.end() || !mode->is_string()) {
    return absl::InvalidArgumentError("fault field mode: required string");
  }
  const std::string& m = mode->get_ref<const std::string&>();
  if (m == "status") {
    fault.mode = FaultMode::kStatus;
  } else if (m == "delay") {
    fault.mode = FaultMode::kDelay;
  } else if (m == "close_mid_body") {
    fault.mode = FaultMode::kCloseMidBody;
  } else if (m == "malformed_json") {
    fault.mode = FaultMode::kMalformedJson;
  } else if (m == "truncated_json") {
    fault.mode = FaultMode::kTruncatedJson;
  } else if (m == "oversized") {
    fault.mode = FaultMode::kOversized;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "fault field mode: unknown mode '", m,
        "' (status, delay, close_mid_body, malformed_json, truncated_json, oversized)"));
  }
  int64_t count = fault.count, status = fault.status, retry_after = -1, delay_ms = fault.delay_ms,
          oversized = fault.oversized_bytes;
  if (absl::Status s = IntField(body, "count", 1, 1000000, &count); !s.ok()) return s;
  if (absl::Status s = IntField(body, "status", 100, 599, &status); !s.ok()) return s;
  if (absl::Status s = IntField(body, "retryAfter", 0, 86400, &retry_after); !s.ok()) return s;
  if (absl::Status s = IntField(body, "delayMs", 0, 600000, &delay_ms); !s.ok()) return s;
  if (absl::Status s = IntField(body, "oversizedBytes", 64, int64_t{1} << 34, &oversized);
      !s.ok()) {
    return s;
  }
  fault.count = static_cast<int>(count);
  fault.status = static_cast<int>(status);
  if (retry_after >= 0) fault.retry_after_seconds = static_cast<int>(retry_after);
  fault.delay_ms = static_cast<int>(delay_ms);
  fault.oversized_bytes = oversized;
  auto prefix = body.find("pathPrefix");
  if (prefix != body.end() && !prefix->is_null()) {
    if (!prefix->is_string()) {
      return absl::InvalidArgumentError("fault field pathPrefix: must be a string");
    }
    fault.path_prefix = prefix->get<std::string>();
  }
  auto headers = body.find("rateLimitHeaders");
  if (headers != body.end() && !headers->is_null()) {
    if (!headers->is_boolean()) {
      return absl::InvalidArgumentError("fault field rateLimitHeaders: must be a boolean");
    }
    fault.rate_limit_headers = headers->get<bool>();
  }
  auto message = body.find("message");
  if (message != body.end() && !message->is_null()) {
    if (!message->is_string()) {
      return absl::InvalidArgumentError("fault field message: must be a string");
    }
    fault.message = message->get<std::string>();
  }
  return fault;
}

void FaultInjector::Add(Fault fault) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(fault));
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mu_);
  queue_.clear();
}

std::optional<Fault> FaultInjector::Take(absl::string_view path) {
  absl::MutexLock lock(&mu_);
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (!absl::StartsWith(path, it->path_prefix)) continue;
    Fault taken = *it;
    taken.count = 1;
    if (--it->count <= 0) queue_.erase(it);
    return taken;
  }
  return std::nullopt;
}

}  // namespace devserver
}  // namespace secretsync

// CheckHealthCheck: one rule per field, messages naming the field.
#include "lib/config/health_check_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace config {
namespace {

absl::Status Bad(absl::string_view field, absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat("health_check.", field, ": ", why));
}

absl::Status InRange(absl::string_view field, uint32_t value, uint32_t max) {
  if (value > max) return Bad(field, absl::StrCat(value, " is more than the limit of ", max));
  return absl::OkStatus();
}

absl::Status CheckHttp(const v1::HttpHealthCheck& http) {
  const std::string lower = absl::AsciiStrToLower(http.url());
  absl::string_view rest;
  if (absl::StartsWith(lower, "http://")) {
    rest = absl::string_view(http.url()).substr(7);
  } else if (absl::StartsWith(lower, "https://")) {
    rest = absl::string_view(http.url()).substr(8);
  } else {
    return Bad("http.url", "must start with http:// or https://");
  }
  if (rest.empty() || rest[0] == '/' || rest[0] == ':') return Bad("http.url", "has no host");
  for (char c : http.url()) {
    if (absl::ascii_iscntrl(static_cast<unsigned char>(c)) || c == ' ') {
      return Bad("http.url", "contains a space or control character");
    }
  }
  if (http.expect_status() != 0 && (http.expect_status() < 100 || http.expect_status() > 599)) {
    return Bad("http.expect_status", "must be an HTTP status between 100 and 599");
  }
  if (!http.ca_bundle().empty() && http.insecure_skip_verify()) {
    return Bad("http.insecure_skip_verify", "set ca_bundle or insecure_skip_verify, not both");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckHealthCheck(v1::HealthCheck& check) {
  switch (check.check_case()) {
    case v1::HealthCheck::kHttp: {
      absl::Status s = CheckHttp(check.http());
      if (!s.ok()) return s;
      if (check.http().expect_status() == 0) check.mutable_http()->set_expect_status(200);
      break;
    }
    case v1::HealthCheck::kCommand:
      if (check.command().command_size() == 0 || check.command().command(0).empty()) {
        return Bad("command.command", "is empty: give the argv of the check");
      }
      break;
    default:
      return Bad("check", "set exactly one of http or command");
  }
  for (absl::Status s : {InRange("timeout_ms", check.timeout_ms(), kMaxHealthTimeoutMs),
                         InRange("attempts", check.attempts(), kMaxHealthAttempts),
                         InRange("interval_ms", check.interval_ms(), kMaxHealthIntervalMs),
                         InRange("start_delay_ms", check.start_delay_ms(),
                                 kMaxHealthStartDelayMs)}) {
    if (!s.ok()) return s;
  }
  if (check.timeout_ms() == 0) check.set_timeout_ms(kDefaultHealthTimeoutMs);
  if (check.attempts() == 0) check.set_attempts(kDefaultHealthAttempts);
  if (check.interval_ms() == 0) check.set_interval_ms(kDefaultHealthIntervalMs);
  return absl::OkStatus();
}

}  // namespace config
}  // namespace secretsync

// WebhookVerifier: the checks in the order the header lists them.
#include "lib/webhook/verifier.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace webhook {

WebhookVerifier::WebhookVerifier(Clock& clock, VerifierOptions options)
    : clock_(clock), options_(std::move(options)), replay_(options_.replay_capacity) {}

bool IsJsonContentType(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media), "application/json");
}

absl::StatusOr<Delivery> WebhookVerifier::Verify(const IncomingDelivery& in) {
  if (in.body.size() > options_.max_body_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("webhook body: over ", options_.max_body_bytes, " bytes"));
  }
  if (!in.content_type.has_value()) {
    return absl::InvalidArgumentError("webhook content type: missing");
  }
  if (!IsJsonContentType(*in.content_type)) {
    return absl::InvalidArgumentError("webhook content type: not application/json");
  }
  std::optional<SignatureHeader> signature;
  if (requires_signature()) {
    if (!in.signature.has_value()) {
      return absl::UnauthenticatedError("webhook signature: missing");
    }
    SS_ASSIGN_OR_RETURN(signature, ParseSignatureHeader(*in.signature));
    // The MAC is checked before the body is parsed: unsigned input never
    // reaches the JSON parser.
    if (!SignatureMatches(options_.key, in.body, *signature)) {
      return absl::UnauthenticatedError("webhook signature: does not match");
    }
  }
  SS_ASSIGN_OR_RETURN(Delivery delivery, ParseDelivery(in.body));
  if (signature.has_value() && signature->timestamp_ms != delivery.timestamp_ms) {
    return absl::UnauthenticatedError("webhook signature: t= differs from the body's timestamp");
  }
  absl::Time sent = absl::FromUnixMillis(delivery.timestamp_ms);
  absl::Time now = clock_.TimeNow();
  if (sent < now - options_.window) {
    return absl::UnauthenticatedError("webhook timestamp: older than the window");
  }
  if (sent > now + options_.window) {
    return absl::UnauthenticatedError("webhook timestamp: in the future beyond the window");
  }
  if (signature.has_value()) {
    absl::MutexLock lock(&mu_);
    // Past sent + window the timestamp check refuses it anyway.
    SS_RETURN_IF_ERROR(replay_.Admit(signature->mac, sent + options_.window, now));
  }
  return delivery;
}

int HttpStatusForRefusal(const absl::Status& refusal) {
  switch (refusal.code()) {
    case absl::StatusCode::kResourceExhausted:
      return 413;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 400;
  }
}

}  // namespace webhook
}  // namespace secretsync

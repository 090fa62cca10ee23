// Fuzzes the webhook verifier (lib/webhook/verifier.h) and its parsers on
// arbitrary input: the first line is a signature header candidate, the rest
// the body. Invariants: no crash; a forged signature is never accepted; a
// correctly signed, fresh, parseable body is accepted exactly once (the
// second try is a replay); an accepted body serialises back to an equal
// delivery; refusals map to 400/401/413 and never quote the key.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/testing/fake_clock.h"
#include "lib/webhook/delivery.h"
#include "lib/webhook/signature.h"
#include "lib/webhook/verifier.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

bool SameDelivery(const webhook::Delivery& a, const webhook::Delivery& b) {
  return a.event == b.event && a.workspace_id == b.workspace_id &&
         a.environment == b.environment && a.secret_path == b.secret_path &&
         a.timestamp_ms == b.timestamp_ms;
}

void CheckRefusal(const absl::Status& s) {
  int status = webhook::HttpStatusForRefusal(s);
  Check(status == 400 || status == 401 || status == 413, "refusal with an unexpected status");
  CheckMessageFree(s, kCanary, "a refusal quotes the webhook key");
}

void FuzzOne(absl::string_view input) {
  size_t nl = input.find('\n');
  absl::string_view header = nl == absl::string_view::npos ? "" : input.substr(0, nl);
  absl::string_view body = nl == absl::string_view::npos ? input : input.substr(nl + 1);

  absl::StatusOr<webhook::Delivery> parsed = webhook::ParseDelivery(body);
  if (parsed.ok()) {
    absl::StatusOr<webhook::Delivery> again =
        webhook::ParseDelivery(webhook::SerializeDelivery(*parsed));
    Check(again.ok() && SameDelivery(*parsed, *again), "serialised delivery does not read back");
  }
  (void)webhook::ParseSignatureHeader(header);

  // The clock sits at the body's own timestamp so that fresh bodies reach
  // the signature and replay checks.
  absl::Time now = absl::FromUnixSeconds(1800000000);
  if (parsed.ok() && parsed->timestamp_ms < (int64_t{1} << 52)) {
    now = absl::FromUnixMillis(parsed->timestamp_ms);
  }
  FakeClock clock(now);
  webhook::VerifierOptions options;
  options.key = SecretValue(std::string(kCanary));
  options.max_body_bytes = 4096;
  webhook::WebhookVerifier verifier(clock, std::move(options));
  SecretValue key{std::string(kCanary)};

  absl::StatusOr<webhook::Delivery> forged =
      verifier.Verify({"application/json", header, body});
  if (forged.ok()) {
    absl::StatusOr<webhook::SignatureHeader> h = webhook::ParseSignatureHeader(header);
    Check(h.ok() && webhook::SignatureMatches(key, body, *h), "accepted a forged signature");
  } else {
    CheckRefusal(forged.status());
  }
  Check(!verifier.Verify({"application/json", std::nullopt, body}).ok(),
        "accepted a delivery without a signature");

  if (!parsed.ok() || forged.ok()) return;
  std::string good = webhook::SignatureHeaderValue(key, body, parsed->timestamp_ms);
  absl::StatusOr<webhook::Delivery> first = verifier.Verify({"application/json", good, body});
  bool fresh = parsed->timestamp_ms < (int64_t{1} << 52);
  if (body.size() <= 4096 && fresh) {
    Check(first.ok(), "refused a correctly signed fresh delivery");
    Check(SameDelivery(*first, *parsed), "verified delivery differs from the parsed one");
    absl::StatusOr<webhook::Delivery> replay = verifier.Verify({"application/json", good, body});
    Check(!replay.ok() && webhook::HttpStatusForRefusal(replay.status()) == 401,
          "accepted a replayed signature");
  } else if (!first.ok()) {
    CheckRefusal(first.status());
  }
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

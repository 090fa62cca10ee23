// Fuzz target: the agent's request handling below gRPC. The input is split
// into a caller (SANs, token) checked by CallerAuthenticator, and wire-format
// SyncRequest and GetStatusRequest messages handled by the SyncCoordinator
// over a FakeSyncService that holds a canary. Invariants: no crash; a caller
// without the token or an allowed SAN is never admitted; an unknown
// deployment is NotFound; no reply or error carries the canary or the token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "lib/agent/caller_auth.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/agent/sync_coordinator.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "google/protobuf/stubs/logging.h"
#include "proto/agent.pb.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using secretsync::fuzz::Check;
using secretsync::fuzz::kCanary;

constexpr char kToken[] = "Zq9-agent-token-8c2d";

// protobuf logs every invalid UTF-8 string field it parses; fuzz inputs are
// full of them, and the log would drown the fuzzer's own output.
const bool kProtobufLogsSilenced = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace agent = secretsync::agent;
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (absl::StrContains(input, kCanary) ||
      absl::StrContains(input, agent::FakeSyncService::kCanary)) {
    return 0;  // the fuzzer copied a planted value: replies quoting it prove nothing
  }
  // Parts separated by NUL: SANs (comma-separated), token, sync request, status request.
  std::vector<std::string> parts = absl::StrSplit(input, absl::MaxSplits('\0', 3));
  parts.resize(4);

  agent::AuthPolicy policy;
  policy.allowed_sans = {"spiffe://corp/central"};
  policy.token = secretsync::SecretValue(std::string(kToken));
  agent::CallerAuthenticator auth(std::move(policy));
  agent::CallerInfo caller;
  caller.tls = !parts[0].empty();
  caller.sans = absl::StrSplit(parts[0], ',', absl::SkipEmpty());
  caller.has_token = !parts[1].empty();
  caller.token = secretsync::SecretValue(parts[1]);
  absl::StatusOr<std::string> who = auth.Authenticate(caller);
  Check(!who.ok() || parts[1] == kToken, "admitted without the token");
  bool allowed_san = false;
  for (const std::string& san : caller.sans) allowed_san |= san == "spiffe://corp/central";
  Check(!who.ok() || allowed_san, "admitted without an allowed SAN");
  // The token may appear in the input (a right token, or copied into a SAN):
  // only a message that quotes it without the input holding it is a leak.
  const bool input_has_token = absl::StrContains(input, kToken);
  if (!who.ok() && !input_has_token) {
    Check(!absl::StrContains(who.status().message(), kToken), "token in a refusal");
  }

  secretsync::RealClock clock;
  secretsync::CapturingLogSink log;
  agent::FakeSyncService service({"web", "db"});
  agent::SyncCoordinator coordinator(service, clock, log);
  secretsync::v1::SyncRequest request;
  request.ParsePartialFromString(parts[2]);
  agent::SyncCall call;
  call.caller = who.ok() ? *who : "anonymous";
  call.request_id = request.request_id();
  call.deployment = request.deployment();
  call.dry_run = request.dry_run();
  for (int i = 0; i < 2; ++i) {  // a repeated request id takes the cached path
    absl::StatusOr<secretsync::v1::SyncReport> report = coordinator.Sync(call);
    const bool known = call.deployment.empty() || call.deployment == "web" || call.deployment == "db";
    Check(known || absl::IsNotFound(report.status()) || absl::IsInvalidArgument(report.status()),
          "an unknown deployment was synced");
    const std::string text = report.ok() ? report->SerializeAsString()
                                         : std::string(report.status().message());
    Check(!absl::StrContains(text, agent::FakeSyncService::kCanary), "canary in a Sync reply");
  }
  secretsync::v1::GetStatusRequest status_request;
  status_request.ParsePartialFromString(parts[3]);
  auto status = coordinator.Status(status_request.deployment());
  if (status.ok()) {
    for (const auto& s : *status) {
      Check(!absl::StrContains(s.SerializeAsString(), agent::FakeSyncService::kCanary),
            "canary in a status");
    }
  }
  Check(!absl::StrContains(log.Joined(), agent::FakeSyncService::kCanary), "canary in the log");
  Check(input_has_token || !absl::StrContains(log.Joined(), kToken), "token in the log");
  return 0;
}

// One fan-out call: Sync on one agent over mTLS (or loopback plaintext), as a
// HostResult row.
#ifndef SECRETSYNC_LIB_FANOUT_AGENT_CLIENT_H_
#define SECRETSYNC_LIB_FANOUT_AGENT_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/security/credentials.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/secret_value.h"
#include "lib/fanout/host_list.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace fanout {

enum class Outcome { kOk, kFailed, kRefused, kUnreachable, kError, kSkipped };

// "ok", "failed" (the sync ran and failed), "refused" (authentication, rate
// limit), "unreachable" (no connection, deadline), "error" (any other RPC
// error), "skipped" (not started: --stop_on_failure).
const char* OutcomeName(Outcome o);

struct HostResult {
  std::string host;
  Outcome outcome = Outcome::kSkipped;
  std::vector<std::string> changed;  // added, changed and removed names
  int64_t duration_ms = 0;
  int exit_code = 0;   // the agent's sync exit code when it ran
  absl::StatusCode rpc_code = absl::StatusCode::kOk;  // the RPC's code when it failed
  std::string error;   // RPC status or the report's error (no values), valid UTF-8 cut
  bool reported = false;  // the agent answered with a report (health below is its)
  secretsync::v1::HealthOutcome health = secretsync::v1::HEALTH_NOT_CHECKED;
  std::string health_check;   // what was checked, e.g. "GET http://127.0.0.1:8000/_health/"
  std::string health_detail;  // why it failed (never a body or output), valid UTF-8 cut
};

// "healthy", "rolled-back", "unhealthy", "held-back", or "-" (not checked).
const char* HealthName(secretsync::v1::HealthOutcome h);

// What one row asks of the operator, from the one exit-code table: 0 for ok;
// for a failed RPC the table's code of its status (RESOURCE_EXHAUSTED and
// UNAVAILABLE/DEADLINE_EXCEEDED 75, UNAUTHENTICATED/PERMISSION_DENIED 77,
// NOT_FOUND 66, INVALID_ARGUMENT 65, ...); 81 for a sync that exited 81 (the
// change was rolled back, or held back, because the application was unhealthy
// with it); 75 for any other failed sync or a skipped host.
int HostExitCode(const HostResult& r);

// The longest prefix of `text` of at most `max_bytes` that does not end inside
// a UTF-8 sequence (invalid bytes before the cut are kept: printers replace them).
std::string CutUtf8(absl::string_view text, size_t max_bytes);

struct ClientTls {
  bool plaintext = false;  // only for loopback targets; no certificate
  std::string ca_pem;      // roots that sign the agents' certificates
  std::string cert_pem;    // this client's certificate chain
  SecretValue key_pem;     // its private key
  std::string server_name;  // overrides the name checked against the agent's SAN (default
                            // for hosts without their own "=name")
};

// Reads the PEM files (NotFound etc. naming the flag's file).
absl::StatusOr<ClientTls> LoadClientTls(Filesystem& fs, const std::string& ca_file,
                                        const std::string& cert_file,
                                        const std::string& key_file);

struct SyncCallSpec {
  Clock* clock = nullptr;  // measures the duration; required
  std::string request_id;
  std::string deployment;
  bool dry_run = false;
  absl::Duration deadline = absl::Seconds(60);
  const SecretValue* token = nullptr;  // sent as "authorization: Bearer ..." when set
};

// Calls Agent.Sync on `host.target`, checking its certificate against
// `host.server_name` (or, when empty, `tls.server_name`), and classifies the
// result. Thread-safe.
HostResult SyncHost(const HostEntry& host, const ClientTls& tls, const SyncCallSpec& spec);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_AGENT_CLIENT_H_

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
  std::string error;   // RPC status or the report's error (no values)
};

struct ClientTls {
  bool plaintext = false;  // only for loopback targets; no certificate
  std::string ca_pem;      // roots that sign the agents' certificates
  std::string cert_pem;    // this client's certificate chain
  SecretValue key_pem;     // its private key
  std::string server_name;  // overrides the name checked against the agent's SAN
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

// Calls Agent.Sync on `host` and classifies the result. Thread-safe.
HostResult SyncHost(const std::string& host, const ClientTls& tls, const SyncCallSpec& spec);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_AGENT_CLIENT_H_

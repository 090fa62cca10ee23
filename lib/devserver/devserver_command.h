// The devserver command: flags, loading the seed or state, serving until
// SIGTERM/SIGINT. tools/devserver_main.cc only calls RunDevServer().
#ifndef SECRETSYNC_LIB_DEVSERVER_DEVSERVER_COMMAND_H_
#define SECRETSYNC_LIB_DEVSERVER_DEVSERVER_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/devserver/http_server.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

// --help text: what the server is, its flags' meaning, the exit codes.
extern const char kUsage[];

struct DevServerOptions {
  std::string listen = "127.0.0.1:8080";
  std::string seed_path;
  std::string state_path;
  std::string tls_cert;
  std::string tls_key;
  bool enable_faults = false;
  int rate_limit_per_minute = 0;
  int rate_limit_status = 429;  // 429 (Infisical Cloud) or 500 (self-hosted, October 2024)
  // Larger request bodies get 413 and are never buffered.
  int64_t max_request_bytes = static_cast<int64_t>(kDefaultMaxRequestBytes);
};

// The options from the absl flags (--listen, --seed, --state, --tls-cert,
// --tls-key, --enable-faults, --rate-limit-per-minute, --rate-limit-status,

// "host:port" with port in [0, 65535]. InvalidArgument otherwise.
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(absl::string_view listen);

// InvalidArgument (a usage error) for a bad --listen, a lone TLS flag, a
// negative rate limit, a --rate-limit-status other than 429 or 500, a
// --max-request-bytes below 1 KiB, or neither --seed nor --state.
absl::Status ValidateOptions(const DevServerOptions& options);

// The state file when --state names an existing file, else the seed.
// NotFound when the seed does not exist; InvalidArgument "--seed FILE line L
// column C: ..." on a parse error.
absl::StatusOr<secretsync::v1::DevSeed> LoadInitialState(const DevServerOptions& options);

// Serves until SIGTERM or SIGINT, then returns 0. Writes exactly
// "listening on http(s)://HOST:PORT\n" to `out` (flushed) once bound, and one
// log line per request to `log`. Returns an exit code from lib/base/exit_codes.h
// on startup errors (64 bad flags, 65 bad seed, 66 missing seed, 75 cannot bind).
int RunDevServer(const DevServerOptions& options, Clock& clock, RandomSource& random,
                 std::ostream& out, LogSink& log);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_DEVSERVER_COMMAND_H_

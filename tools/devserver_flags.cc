// --flags of devserver.
#include "tools/devserver_flags.h"

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "address to listen on, HOST:PORT (port 0: any free port)");
ABSL_FLAG(std::string, seed, "", "text-format DevSeed (proto/devserver.proto) to start from");
ABSL_FLAG(std::string, state, "",
          "state file: loaded instead of --seed when it exists; every change is saved there "
          "atomically (mode 0600)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate: serve HTTPS (needs --tls-key)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls-cert");
ABSL_FLAG(bool, enable_faults, false,
          "enable POST/DELETE /__devserver/faults (fault injection for client tests)");
ABSL_FLAG(int, rate_limit_per_minute, 0,
          "answer 429 past N /api requests per client per minute (0: off, like self-hosted)");
ABSL_FLAG(int, rate_limit_status, 429,
          "status of a rate-limited reply: 429 (Infisical Cloud) or 500 (self-hosted Infisical, "
          "October 2024: \"Something went wrong\" with retry-after and x-ratelimit-*)");
ABSL_FLAG(int64_t, max_request_bytes,
          static_cast<int64_t>(secretsync::devserver::kDefaultMaxRequestBytes),
          "largest request body accepted; a larger one gets 413 and is never buffered");

namespace secretsync {

devserver::DevServerOptions DevServerOptionsFromFlags() {
  devserver::DevServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.seed_path = absl::GetFlag(FLAGS_seed);
  options.state_path = absl::GetFlag(FLAGS_state);
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.enable_faults = absl::GetFlag(FLAGS_enable_faults);
  options.rate_limit_per_minute = absl::GetFlag(FLAGS_rate_limit_per_minute);
  options.rate_limit_status = absl::GetFlag(FLAGS_rate_limit_status);
  options.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  return options;
}

}  // namespace secretsync

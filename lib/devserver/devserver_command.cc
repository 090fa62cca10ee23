// RunDevServer: wiring of DevStore, DevApi and DevHttpServer, signal handling.
#include "lib/devserver/devserver_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/devserver/dev_api.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/fault_injector.h"
#include "lib/devserver/http_server.h"
#include "lib/devserver/state_file.h"
#include "lib/devserver/webhook_sender.h"
#include "lib/http/curl_http_transport.h"


namespace secretsync {
namespace devserver {

const char kUsage[] =
    "a local Infisical-API-compatible server for demos and tests (like `vault "
    "server -dev`).\n"
    "Serves Universal Auth login/renew/revoke, v3/v4 secrets (list, get, create, update, delete, "
    "batch) and projects\n"
    "with Infisical's JSON shapes and errors, from a text-format seed (proto/devserver.proto).\n"
    "Prints \"listening on http://HOST:PORT\" first; stops cleanly on SIGTERM/SIGINT.\n\n"
    "Usage: devserver --listen 127.0.0.1:0 --seed FILE [--state FILE] [--tls-cert F --tls-key F]\n"
    "                 [--enable-faults] [--rate-limit-per-minute N [--rate-limit-status 500]]\n"
    "                 [--max-request-bytes N]\n"
    "Flag names take '-' or '_' alike (--tls-cert == --tls_cert).\n\n"
    "Exits 0 when stopped by a signal; at startup 64 for bad flags, 65 for a bad seed or state\n"
    "file, 66 when the seed does not exist, 75 when the address cannot be bound.\n";

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(absl::string_view listen) {
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen ", listen, ": want HOST:PORT with a port in [0, 65535]"));
  }
  return std::make_pair(std::string(listen.substr(0, colon)), port);
}

absl::Status ValidateOptions(const DevServerOptions& options) {
  SS_RETURN_IF_ERROR(ParseListenAddress(options.listen));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key: give both or neither");
  }
  if (options.seed_path.empty() && options.state_path.empty()) {
    return absl::InvalidArgumentError("--seed: required unless --state is given");
  }
  if (options.rate_limit_per_minute < 0) {
    return absl::InvalidArgumentError("--rate-limit-per-minute: must be >= 0");
  }
  if (options.rate_limit_status != 429 && options.rate_limit_status != 500) {
    return absl::InvalidArgumentError("--rate-limit-status: must be 429 or 500");
  }
  if (options.max_request_bytes < 1024) {
    return absl::InvalidArgumentError("--max-request-bytes: must be at least 1024");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::DevSeed> LoadInitialState(const DevServerOptions& options) {
  if (!options.state_path.empty() && ::access(options.state_path.c_str(), F_OK) == 0) {
    absl::StatusOr<v1::DevSeed> state = ReadSeedFile(options.state_path);
    if (!state.ok()) return Annotate(state.status(), "--state");
    return state;
  }
  if (options.seed_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--seed: required because --state ",
                                                   options.state_path, " does not exist yet"));
  }
  absl::StatusOr<v1::DevSeed> seed = ReadSeedFile(options.seed_path);
  if (!seed.ok()) return Annotate(seed.status(), "--seed");
  return seed;
}

namespace {

int Fail(LogSink& log, const absl::Status& status, int code) {
  Logger(log).Error("devserver.start_failed").Field("error", status.ToString());
  return code;
}

}  // namespace

int RunDevServer(const DevServerOptions& options, Clock& clock, RandomSource& random,
                 std::ostream& out, LogSink& log) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return Fail(log, s, kExitUsage);
  absl::StatusOr<std::pair<std::string, int>> address = ParseListenAddress(options.listen);
  absl::StatusOr<v1::DevSeed> seed = LoadInitialState(options);
  if (!seed.ok()) {
    return Fail(log, seed.status(),
                seed.status().code() == absl::StatusCode::kNotFound ? kExitNoInput : kExitDataErr);
  }
  absl::StatusOr<std::unique_ptr<DevStore>> store =
      DevStore::Create(*std::move(seed), clock, random);
  if (!store.ok()) return Fail(log, store.status(), kExitDataErr);
  DevApi::PersistFn persist;
  if (!options.state_path.empty()) {
    std::string path = options.state_path;
    persist = [path](const v1::DevSeed& state) { return WriteStateFile(path, state); };
    if (absl::Status s = persist((*store)->state()); !s.ok()) return Fail(log, s, kExitCantCreate);
  }
  // Block the stop signals before the first thread starts (the webhook
  // sender's; httplib's pool later): every thread inherits the mask, so a
  // SIGTERM/SIGINT can only reach the sigwait below, never kill the process.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  FaultInjector faults;
  // Webhooks go out as Infisical sends them: 15 s for the whole exchange, no retry.
  http::CurlTransportOptions webhook_http_options;
  webhook_http_options.request_timeout = absl::Seconds(15);
  webhook_http_options.user_agent = "secretsync-devserver";
  http::CurlHttpTransport webhook_http(webhook_http_options);
  WebhookSender webhook_sender(webhook_http, log);
  DevApiOptions api_options;
  api_options.webhooks = &webhook_sender;
  api_options.rate_limit_per_minute = options.rate_limit_per_minute;
  api_options.rate_limit_status = options.rate_limit_status;
  api_options.faults = options.enable_faults ? &faults : nullptr;
  DevApi api(*std::move(store), clock, random, log, api_options, std::move(persist));
  absl::StatusOr<std::unique_ptr<DevHttpServer>> server = DevHttpServer::Create(
      api, api_options.faults, clock, log, TlsFiles{options.tls_cert, options.tls_key},
      static_cast<size_t>(options.max_request_bytes));
  if (!server.ok()) return Fail(log, server.status(), kExitUsage);
  absl::StatusOr<int> port = (*server)->Bind(address->first, address->second);
  if (!port.ok()) return Fail(log, port.status(), kExitTempFail);

  std::atomic<bool> stopping{false};
  absl::Status serve_status;
  std::thread serving([&] {
    serve_status = (*server)->Serve();
    if (!stopping.load()) ::kill(::getpid(), SIGTERM);  // wakes sigwait below
  });
  out << "listening on " << ((*server)->tls() ? "https" : "http") << "://" << address->first << ":"
      << *port << std::endl;
  Logger(log)
      .Info("devserver.listening")
      .Field("port", *port)
      .Field("faults", options.enable_faults ? 1 : 0);
  int signal = 0;
  while (sigwait(&stop_signals, &signal) != 0) {
  }
  stopping.store(true);
  (*server)->Stop();
  serving.join();
  if (!serve_status.ok()) return Fail(log, serve_status, kExitTempFail);
  Logger(log).Info("devserver.stopped").Field("signal", signal);
  return kExitOk;
}

}  // namespace devserver
}  // namespace secretsync

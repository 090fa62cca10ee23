// RunAgent: options -> auth policy -> coordinator -> gRPC server -> event loop.
#include "lib/agent/agent_command.h"

#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/agent/agent_metrics.h"
#include "lib/agent/agent_observer.h"
#include "lib/agent/agent_server.h"
#include "lib/agent/agent_service.h"
#include "lib/agent/caller_auth.h"
#include "lib/agent/sync_coordinator.h"
#include "lib/agent/tls_files.h"
#include "lib/agent/token_bucket.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/metrics/metrics_exposer.h"

namespace secretsync {
namespace agent {

const char kAgentUsage[] =
    "agent: serve secretsync.v1.Agent (Sync, GetStatus, health; reflection only\n"
    "with --reflection) so a central host can trigger syncs of this host's\n"
    "deployments now.\n"
    "\n"
    "  agent --tls_cert_file=server.pem --tls_key_file=server.key \\\n"
    "        --client_ca_file=ca.pem --allowed_sans=central.example.org\n"
    "  agent --listen=127.0.0.1:7800 --insecure_loopback_plaintext\n"
    "\n"
    "SIGTERM finishes running syncs and exits; SIGHUP re-reads --token_file,\n"
    "--allowed_sans_file and the TLS files (a changed certificate, key or client\n"
    "CA starts a new server on the same port; the old one finishes its calls);\n"
    "on any error it keeps everything as it was and logs agent.reload_failed.\n"
    "--metrics_listen=127.0.0.1:9464 serves Prometheus /metrics (plain HTTP;\n"
    "off by default; keep it on loopback or a private address).\n"
    "See docs/agent.md.";

namespace {

constexpr size_t kMaxSmallFile = 64 * 1024;
constexpr int kMinThreads = 4;
constexpr int kMetricsThreads = 2;  // civetweb workers: scrapes are rare and small

// A SAN is compared byte for byte: an empty entry (a stray comma) or one with
// spaces cannot match what the caller meant, so it is refused, not ignored.
absl::Status CheckSan(absl::string_view san, absl::string_view where) {
  if (san.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": empty SAN entry (a stray comma or blank item?)"));
  }
  for (char c : san) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": SAN entry has spaces or control characters (SANs are matched exactly)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ReadSansFile(Filesystem& fs, const std::string& path) {
  SS_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxSmallFile));
  std::vector<std::string> sans;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty() || stripped.front() == '#') continue;
    SS_RETURN_IF_ERROR(CheckSan(line, absl::StrCat(path, " line ", number)));
    sans.emplace_back(line);
  }
  return sans;
}

absl::StatusOr<SecretValue> ReadToken(Filesystem& fs, const std::string& path) {
  SS_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, 4096));
  SecretValue token(absl::StripAsciiWhitespace(text));
  std::fill(text.begin(), text.end(), '\0');
  if (token.empty()) return absl::FailedPreconditionError(absl::StrCat(path, ": token file is empty"));
  return token;
}

// The policy as the files say now.
absl::StatusOr<AuthPolicy> LoadPolicy(const AgentOptions& opts, Filesystem& fs) {
  AuthPolicy policy;
  policy.plaintext_loopback = opts.insecure_loopback_plaintext;
  policy.allowed_sans = opts.allowed_sans;
  for (size_t i = 0; i < opts.allowed_sans.size(); ++i) {
    SS_RETURN_IF_ERROR(
        CheckSan(opts.allowed_sans[i], absl::StrCat("--allowed_sans entry ", i + 1)));
  }
  if (!opts.allowed_sans_file.empty()) {
    absl::StatusOr<std::vector<std::string>> more = ReadSansFile(fs, opts.allowed_sans_file);
    if (!more.ok()) return Annotate(more.status(), "--allowed_sans_file");
    policy.allowed_sans.insert(policy.allowed_sans.end(), more->begin(), more->end());
  }
  if (!opts.token_file.empty()) {
    absl::StatusOr<SecretValue> token = ReadToken(fs, opts.token_file);
    if (!token.ok()) return Annotate(token.status(), "--token_file");
    policy.token = *std::move(token);
  }
  if (!policy.plaintext_loopback && policy.allowed_sans.empty()) {
    return absl::InvalidArgumentError(
        "--allowed_sans: name at least one client certificate SAN (or use "
        "--allowed_sans_file)");
  }
  return policy;
}

absl::Status CheckPemFile(Filesystem& fs, const std::string& flag, const std::string& path,
                          bool is_certificate) {
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": required unless --insecure_loopback_plaintext"));
  }
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (!info.exists) return absl::NotFoundError(absl::StrCat(flag, " ", path, ": no such file"));
  if (!info.is_regular) {
    return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": not a regular file"));
  }
  if (is_certificate) {  // certificates are public: check they look like PEM
    absl::StatusOr<std::string> text = fs.ReadFile(path, kMaxSmallFile);
    if (!text.ok()) return Annotate(text.status(), flag);
    if (!absl::StrContains(*text, "-----BEGIN CERTIFICATE-----")) {
      return absl::FailedPreconditionError(
          absl::StrCat(flag, " ", path, ": no PEM certificate in it"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOptions(const AgentOptions& opts, Filesystem& fs) {
  if (opts.rate_per_minute <= 0 || opts.rate_burst < 1) {
    return absl::InvalidArgumentError("--rate_per_minute/--rate_burst: must be positive");
  }
  if (opts.max_threads < kMinThreads) {
    return absl::InvalidArgumentError(absl::StrCat("--max_threads: at least ", kMinThreads));
  }
  if (opts.insecure_loopback_plaintext) {
    if (!opts.tls_cert_file.empty() || !opts.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--insecure_loopback_plaintext: cannot be combined with TLS files");
    }
    if (!IsLoopbackListenAddress(opts.listen)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--listen ", opts.listen,
                       ": plaintext is allowed only on a loopback IP (127.0.0.0/8 or [::1])"));
    }
    return absl::OkStatus();
  }
  SS_RETURN_IF_ERROR(CheckPemFile(fs, "--tls_cert_file", opts.tls_cert_file, true));
  SS_RETURN_IF_ERROR(CheckPemFile(fs, "--tls_key_file", opts.tls_key_file, false));
  SS_RETURN_IF_ERROR(CheckPemFile(fs, "--client_ca_file", opts.client_ca_file, true));
  return CheckTlsFiles(fs, {opts.tls_cert_file, opts.tls_key_file, opts.client_ca_file}).status();
}

// One running gRPC server and the service object it serves (which must
// outlive it).
struct Serving {
  std::unique_ptr<AgentService> service;
  RunningServer running;
};

absl::StatusOr<std::unique_ptr<Serving>> Serve(const ServerSpec& spec,
                                               const CallerAuthenticator& auth,
                                               TokenBucketLimiter& limiter,
                                               SyncCoordinator& coordinator, LogSink& log,
                                               AgentObserver& observer) {
  auto serving = std::make_unique<Serving>();
  serving->service = std::make_unique<AgentService>(auth, limiter, coordinator, log, observer);
  SS_ASSIGN_OR_RETURN(serving->running, StartAgentServer(spec, *serving->service));
  return serving;
}

// Stops accepting on `old` and, on its own thread, lets its calls finish.
std::thread Retire(std::unique_ptr<Serving> old) {
  return std::thread([old = std::move(old)] {
    old->running.server->Shutdown();  // waits for its running calls
    old->running.server->Wait();
  });
}

// The expiry metric follows the files as they are now; a file that cannot be
// read keeps its last value (the reload that read it logs why).
void RecordCertificateExpiry(AgentMetrics& metrics, Filesystem& fs, const TlsFiles& tls,
                             const Logger& log) {
  for (const auto& [cert, path] : {std::make_pair("server", &tls.cert_file),
                                   std::make_pair("client_ca", &tls.client_ca_file)}) {
    absl::StatusOr<absl::Time> not_after = EarliestNotAfter(fs, *path);
    if (not_after.ok()) {
      metrics.SetCertificateExpiry(cert, *not_after);
    } else {
      log.Warn("agent.certificate_expiry_unknown").Field("why", not_after.status().message());
    }
  }
}

int Fail(std::ostream& err, const absl::Status& s) {
  err << "agent: " << s.message() << "\n";
  return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : ExitCodeFromStatus(s);
}

}  // namespace

int RunAgent(const AgentOptions& opts, AgentDeps deps, SyncService& service, std::ostream& out,
             std::ostream& err) {
  if (absl::Status s = CheckOptions(opts, deps.fs); !s.ok()) return Fail(err, s);
  absl::StatusOr<AuthPolicy> policy = LoadPolicy(opts, deps.fs);
  if (!policy.ok()) return Fail(err, policy.status());

  Logger log(deps.log);
  const TlsFiles tls{opts.tls_cert_file, opts.tls_key_file, opts.client_ca_file};
  // Metrics first: a --metrics_listen that cannot be bound fails the start.
  std::unique_ptr<AgentMetrics> agent_metrics;
  std::unique_ptr<metrics::MetricsExposer> exposer;
  if (!opts.metrics_listen.empty()) {
    agent_metrics = std::make_unique<AgentMetrics>(deps.clock);
    if (!opts.insecure_loopback_plaintext) {
      RecordCertificateExpiry(*agent_metrics, deps.fs, tls, log);
    }
    absl::StatusOr<std::unique_ptr<metrics::MetricsExposer>> started =
        metrics::MetricsExposer::Start({opts.metrics_listen, kMetricsThreads},
                                       agent_metrics->Collectables());
    if (!started.ok()) return Fail(err, started.status());
    exposer = *std::move(started);
  }
  AgentObserver& observer = agent_metrics ? *agent_metrics : NoAgentObserver();

  CallerAuthenticator auth(*std::move(policy));
  TokenBucketLimiter limiter(deps.clock, opts.rate_per_minute, opts.rate_burst);
  SyncCoordinator coordinator(service, deps.clock, deps.log, opts.request_cache_size, observer);

  ServerSpec spec;
  spec.listen = opts.listen;
  spec.cert_file = opts.tls_cert_file;
  spec.key_file = opts.tls_key_file;
  spec.client_ca_file = opts.client_ca_file;
  spec.tls_reload_seconds = opts.tls_reload_seconds;
  spec.plaintext_loopback = opts.insecure_loopback_plaintext;
  spec.reflection = opts.reflection;
  spec.max_threads = opts.max_threads;
  absl::StatusOr<std::unique_ptr<Serving>> serving =
      Serve(spec, auth, limiter, coordinator, deps.log, observer);
  if (!serving.ok()) return Fail(err, serving.status());
  std::unique_ptr<Serving> current = *std::move(serving);
  const int port = current->running.port;

  log.Info("agent.listening")
      .Field("address", opts.listen)
      .Field("port", port)
      .Field("tls", opts.insecure_loopback_plaintext ? "no" : "mtls");
  out << "agent: listening on " << opts.listen << " (port " << port << ")\n";
  if (exposer) {
    const bool loopback = IsLoopbackListenAddress(opts.metrics_listen);
    LogEvent(deps.log, loopback ? 'I' : 'W', "agent.metrics_listening")
        .Field("address", opts.metrics_listen)
        .Field("port", exposer->port())
        .Field("loopback", loopback ? "yes" : "no");
    out << "agent: metrics on " << opts.metrics_listen << " (port " << exposer->port() << ")\n";
  }
  out.flush();
  if (deps.on_listening) deps.on_listening(port);

  // A reload applies all or nothing: the token, the allowed SANs and, with
  // TLS, a new server with the certificate, key and client CA read afresh on
  // the same port (SO_REUSEPORT); the old server stops accepting and finishes
  // its calls on its own thread (running syncs are the coordinator's, so no
  // sync is interrupted).
  // Unchanged TLS files keep the server (its calls are not disturbed).
  std::string served_tls;
  if (!opts.insecure_loopback_plaintext) served_tls = CheckTlsFiles(deps.fs, tls).value_or("");
  std::vector<std::thread> retiring;
  while (deps.events.Next() == AgentEvent::kReload) {
    absl::StatusOr<AuthPolicy> fresh = LoadPolicy(opts, deps.fs);
    absl::Status ready = fresh.status();
    absl::StatusOr<std::unique_ptr<Serving>> next = absl::NotFoundError("no new server");
    std::string read_tls;
    if (ready.ok() && !opts.insecure_loopback_plaintext) {
      absl::StatusOr<std::string> checked = CheckTlsFiles(deps.fs, tls);
      ready = checked.status();
      if (ready.ok()) read_tls = *checked;
      if (ready.ok() && read_tls != served_tls) {
        ServerSpec again = spec;
        again.listen = WithPort(opts.listen, port);
        again.reuse_port = true;
        next = Serve(again, auth, limiter, coordinator, deps.log, observer);
        ready = next.status();
      }
    }
    if (!ready.ok()) {
      log.Error("agent.reload_failed").Field("why", ready.message());
      continue;
    }
    auth.SetPolicy(*std::move(fresh));
    if (agent_metrics && !opts.insecure_loopback_plaintext) {
      RecordCertificateExpiry(*agent_metrics, deps.fs, tls, log);
    }
    const bool renewed = next.ok();
    if (renewed) {
      retiring.push_back(Retire(std::move(current)));
      current = *std::move(next);
      served_tls = read_tls;
    }
    log.Info("agent.reloaded").Field("tls", renewed ? "new server" : "unchanged");
  }
  log.Info("agent.stopping");
  coordinator.StopAccepting();
  current->running.server->Shutdown();  // waits for the running calls to finish
  current->running.server->Wait();
  for (std::thread& t : retiring) t.join();
  log.Info("agent.stopped");
  return kExitOk;
}

}  // namespace agent
}  // namespace secretsync

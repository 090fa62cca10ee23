// RunHub: config, keys and TLS files -> verifier, receiver, dispatcher,
// status listener; signal handling.
#include "lib/hub/hub_command.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/agent/tls_files.h"
#include "lib/auth/credential_source.h"
#include "lib/base/environment.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/fanout/fanout_command.h"
#include "lib/metrics/metrics_exposer.h"
#include "lib/hub/dispatcher.h"
#include "lib/hub/hub_config.h"
#include "lib/hub/hub_metrics.h"
#include "lib/hub/router.h"
#include "lib/hub/status_book.h"
#include "lib/hub/status_server.h"
#include "lib/webhook/verifier.h"
#include "lib/webhook/webhook_receiver.h"

namespace secretsync {
namespace hub {

const char kHubUsage[] =
    "hub: receive Infisical webhook deliveries (POST /webhook) and sync the\n"
    "agents of every matching route at once (debounced, one fan-out in flight per\n"
    "route plus one follow-up, failed hosts retried with backoff).\n"
    "\n"
    "  hub --config=/etc/secretsync-hub/hub.textproto          # serve\n"
    "  hub --config=/etc/secretsync-hub/hub.textproto --check  # check config and files\n"
    "  hub --config=/etc/secretsync-hub/hub.textproto --status # recent deliveries, last fan-outs\n"
    "\n"
    "Replies: 202 for a verified delivery (also when no route matches its folder,\n"
    "or for Infisical's test event); 400 for an unknown project, bad JSON or the\n"
    "wrong content type; 401 for a bad, missing, stale or replayed signature;\n"
    "413 for a body over limits.max_body_bytes. GET /healthz answers 200.\n"
    "SIGHUP rereads the listener's TLS certificate and key; SIGTERM stops.\n"
    "--metrics_listen=127.0.0.1:9465 serves Prometheus /metrics (plain HTTP; off\n"
    "by default; docs/metrics.md).\n"
    "\n"
    "Exit: 0 stopped by a signal (or --check/--status done); 64 bad flags;\n"
    "78 bad config (file:line:col), a key or token file readable by others, or\n"
    "plaintext on a non-loopback address; 66 a file missing; 77 a file\n"
    "unreadable; 75 cannot bind (or, with --status, the hub does not answer).\n"
    "See docs/hub.md.";

namespace {

constexpr int kMetricsThreads = 2;  // civetweb workers: scrapes are rare and small

int Fail(std::ostream& err, const absl::Status& s) {
  err << "hub: " << s.message() << "\n";
  return ExitCodeFromStatus(s);
}

absl::StatusOr<SecretValue> ReadKeyFile(const std::string& path, absl::string_view field) {
  secretsync::v1::CredentialSource source;
  source.set_file(path);
  RealEnvironment env;
  return auth::ReadCredential(source, field, env);
}

// Everything the hub holds while serving.
struct Hub {
  LoadedHubConfig loaded;
  fanout::ClientTls tls;
  SecretValue token;
  std::unique_ptr<webhook::WebhookVerifier> verifier;
  std::unique_ptr<StatusBook> book;
  std::unique_ptr<HubMetrics> metrics;  // only with --metrics_listen
  std::unique_ptr<Dispatcher> dispatcher;
};

absl::Status Prepare(const HubOptions& options, HubDeps deps, Hub& hub) {
  SS_ASSIGN_OR_RETURN(hub.loaded, LoadHubConfig(options.config, deps.fs));
  const secretsync::v1::HubConfig& c = hub.loaded.config;
  SS_ASSIGN_OR_RETURN(SecretValue key, ReadKeyFile(c.webhook_key_file(), "webhook_key_file"));
  const auto& a = c.agents();
  if (a.insecure_loopback_plaintext()) {
    hub.tls.plaintext = true;
  } else {
    SS_ASSIGN_OR_RETURN(hub.tls,
                        fanout::LoadClientTls(deps.fs, a.ca_file(), a.tls_cert_file(),
                                              a.tls_key_file()));
    hub.tls.server_name = a.tls_server_name();
  }
  if (!a.token_file().empty()) {
    SS_ASSIGN_OR_RETURN(hub.token, ReadKeyFile(a.token_file(), "agents.token_file"));
  }
  webhook::VerifierOptions vo;
  vo.key = std::move(key);
  vo.window = absl::Seconds(c.limits().window_seconds());
  vo.max_body_bytes = static_cast<size_t>(c.limits().max_body_bytes());
  hub.verifier = std::make_unique<webhook::WebhookVerifier>(deps.clock, std::move(vo));
  std::vector<std::string> names;
  for (const auto& r : c.routes()) names.push_back(r.name());
  hub.book = std::make_unique<StatusBook>(names, static_cast<size_t>(c.status_history()));
  if (!options.metrics_listen.empty()) hub.metrics = std::make_unique<HubMetrics>(names, deps.clock);
  SchedulerOptions so;
  so.debounce = absl::Milliseconds(c.limits().debounce_ms());
  so.max_delay = absl::Milliseconds(c.limits().max_delay_ms());
  so.retry_initial = absl::Milliseconds(c.limits().retry_initial_ms());
  so.retry_max = absl::Milliseconds(c.limits().retry_max_ms());
  so.retry_budget = absl::Seconds(c.limits().retry_budget_seconds());
  Hub* h = &hub;
  Clock* clock = &deps.clock;
  FanoutFn run = [h, clock](size_t route, const std::vector<fanout::HostEntry>& hosts,
                            const std::string& request_id) {
    const auto& r = h->loaded.config.routes(static_cast<int>(route));
    fanout::FanoutOptions fo;
    fo.parallel = r.parallel();
    fanout::SyncCallSpec spec;
    spec.clock = clock;
    spec.request_id = request_id;
    spec.deployment = r.deployment();
    spec.deadline = absl::Seconds(r.deadline_seconds());
    spec.token = &h->token;
    const absl::Time start = clock->TimeNow();
    if (h->metrics) h->metrics->FanoutStarted();
    std::vector<fanout::HostResult> rows =
        fanout::FanOut(hosts, fo, *clock, [&](const fanout::HostEntry& e) {
          return fanout::SyncHost(e, h->tls, spec);
        }).rows;
    const absl::Time end = clock->TimeNow();
    if (h->metrics) h->metrics->FanoutFinished(r.name(), rows, end - start, end);
    return rows;
  };
  hub.dispatcher = std::make_unique<Dispatcher>(
      hub.loaded.route_hosts, names, so,
      DispatcherDeps{deps.clock, deps.log, deps.random, *hub.book, std::move(run)});
  return absl::OkStatus();
}

// The receiver's callback: route, record, log, hand to the dispatcher.
void OnDelivery(Hub& hub, Clock& clock, LogSink& log, const webhook::Delivery& d,
                const std::string& request_id) {
  Change change{d.event, d.workspace_id, d.environment, d.secret_path, d.timestamp_ms};
  RouteMatch m = MatchRoutes(hub.loaded.config, change);
  DeliveryRecord rec{clock.TimeNow(), request_id, change, "routed", {}};
  for (size_t i : m.routes) {
    rec.routes.push_back(hub.loaded.config.routes(static_cast<int>(i)).name());
  }
  if (d.is_test()) {
    rec.outcome = "test";
  } else if (m.routes.empty()) {
    rec.outcome = "no route";
  }
  Logger(log)
      .Info("hub.delivery")
      .Field("request_id", request_id)
      .Field("project", change.workspace_id.substr(0, 64))
      .Field("env", change.environment.substr(0, 64))
      .Field("secret_path", change.secret_path.substr(0, 200))
      .Field("outcome", rec.outcome)
      .Field("routes", absl::StrJoin(rec.routes, ","));
  for (size_t i : m.routes) hub.dispatcher->Deliver(i);
  if (hub.metrics) hub.metrics->Delivered(rec.outcome);
  hub.book->AddDelivery(std::move(rec));
}

// The expiry metric follows the listener's certificate file as it is now; a
// file that cannot be read keeps the last value and logs why.
void RecordCertificateExpiry(Hub& hub, Filesystem& fs, LogSink& log) {
  const std::string& cert = hub.loaded.config.listen().tls_cert_file();
  if (!hub.metrics || cert.empty()) return;
  absl::StatusOr<absl::Time> not_after = agent::EarliestNotAfter(fs, cert);
  if (not_after.ok()) {
    hub.metrics->SetCertificateExpiry("listener", *not_after);
  } else {
    Logger(log).Warn("hub.certificate_expiry_unknown").Field("why", not_after.status().message());
  }
}

std::pair<std::string, int> SplitListen(const std::string& address) {
  const size_t colon = address.rfind(':');
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {host, std::stoi(address.substr(colon + 1))};
}

}  // namespace

int RunHub(const HubOptions& options, HubDeps deps, std::ostream& out, std::ostream& err) {
  if (options.config.empty()) {
    err << "hub: --config: required\n";
    return kExitUsage;
  }
  if (options.status) {
    absl::StatusOr<LoadedHubConfig> loaded = LoadHubConfig(options.config, deps.fs);
    if (!loaded.ok()) return Fail(err, loaded.status());
    const std::string& address = loaded->config.listen().status_address();
    if (address.empty()) {
      return Fail(err, WithExitCode(absl::FailedPreconditionError(
                                        "--status: the config sets no listen.status_address"),
                                    kExitConfig));
    }
    absl::StatusOr<std::string> page = FetchStatus(address);
    if (!page.ok()) return Fail(err, page.status());
    out << *page << "\n";
    return kExitOk;
  }
  Hub hub;
  if (absl::Status s = Prepare(options, deps, hub); !s.ok()) return Fail(err, s);
  if (options.check) {
    out << "config " << options.config << ": ok (" << hub.loaded.config.routes_size()
        << " routes)\n";
    return kExitOk;
  }
  // Block the signals before the first thread starts (the metrics exposer's,
  // then the servers' pools and the dispatcher): every thread inherits the
  // mask, so SIGTERM/SIGINT/SIGHUP only reach the sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const auto& listen = hub.loaded.config.listen();
  webhook::ReceiverOptions ro;
  ro.tls_cert_path = listen.tls_cert_file();
  ro.tls_key_path = listen.tls_key_file();
  const secretsync::v1::HubConfig* config = &hub.loaded.config;
  ro.admit = [config](const webhook::Delivery& d) {
    // Deliveries of projects no route names are refused (400), so a
    // misconfigured webhook shows as failing in Infisical's UI.
    if (d.is_test() || MatchRoutes(*config, Change{d.event, d.workspace_id, "", "", 0})
                           .known_project) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError("unknown project");
  };
  // Metrics first: a --metrics_listen that cannot be bound fails the start.
  std::unique_ptr<metrics::MetricsExposer> exposer;
  if (hub.metrics) {
    HubMetrics* m = hub.metrics.get();
    ro.on_refused = [m](int status) { m->Refused(status); };
    RecordCertificateExpiry(hub, deps.fs, deps.log);
    absl::StatusOr<std::unique_ptr<metrics::MetricsExposer>> started =
        metrics::MetricsExposer::Start({options.metrics_listen, kMetricsThreads},
                                       hub.metrics->Collectables());
    if (!started.ok()) {
      absl::Status s = started.status();
      return Fail(err, s.code() == absl::StatusCode::kInvalidArgument
                           ? WithExitCode(s, kExitUsage)
                           : s);
    }
    exposer = *std::move(started);
  }
  Clock& clock = deps.clock;
  LogSink& log = deps.log;
  absl::StatusOr<std::unique_ptr<webhook::WebhookReceiver>> receiver =
      webhook::WebhookReceiver::Create(
          ro, *hub.verifier,
          [&hub, &clock, &log](const webhook::Delivery& d, const std::string& id) {
            OnDelivery(hub, clock, log, d, id);
          },
          deps.clock, deps.fs, deps.log);
  if (!receiver.ok()) return Fail(err, WithExitCode(receiver.status(), kExitConfig));
  const auto [host, port_wanted] = SplitListen(listen.address());
  absl::StatusOr<int> port = (*receiver)->Bind(host, port_wanted);
  if (!port.ok()) return Fail(err, port.status());
  std::unique_ptr<StatusServer> status;
  int status_port = 0;
  if (!listen.status_address().empty()) {
    StatusBook* book = hub.book.get();
    Dispatcher* dispatcher = hub.dispatcher.get();
    status = std::make_unique<StatusServer>(
        [book, dispatcher] { return book->Json(dispatcher->Counts()); });
    absl::StatusOr<int> p = status->Bind(listen.status_address());
    if (!p.ok()) return Fail(err, p.status());
    status_port = *p;
  }

  hub.dispatcher->Start();
  std::atomic<bool> stopping{false};
  std::thread serving([&] {
    absl::Status s = (*receiver)->Serve();
    if (!s.ok()) Logger(log).Error("hub.serve_failed").Field("error", s.message());
    if (!stopping.load()) ::kill(::getpid(), SIGTERM);
  });
  std::thread status_thread;
  if (status) status_thread = std::thread([&] { status->Serve(); });
  out << "listening on " << ((*receiver)->tls() ? "https" : "http") << "://" << host << ":"
      << *port << std::endl;
  if (status) out << "status on http://" << SplitListen(listen.status_address()).first << ":"
                  << status_port << std::endl;
  if (exposer) {
    out << "metrics on http://" << SplitListen(options.metrics_listen).first << ":"
        << exposer->port() << "/metrics" << std::endl;
  }
  Logger(log)
      .Info("hub.listening")
      .Field("port", *port)
      .Field("routes", hub.loaded.config.routes_size())
      .Field("status_port", status_port);
  int signal = 0;
  while (true) {
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal != SIGHUP) break;
    absl::Status s = (*receiver)->tls() ? (*receiver)->ReloadTls() : absl::OkStatus();
    if (s.ok()) RecordCertificateExpiry(hub, deps.fs, deps.log);
    Logger(log).Info("hub.reload").Field("tls", s.ok() ? "ok" : std::string(s.message()));
  }
  stopping.store(true);
  (*receiver)->Stop();
  serving.join();
  if (status) {
    status->Stop();
    status_thread.join();
  }
  hub.dispatcher->Stop();
  Logger(log).Info("hub.stopped").Field("signal", signal);
  return kExitOk;
}

}  // namespace hub
}  // namespace secretsync

// RunFanout: options -> host list -> bounded parallel calls -> table or JSON.
#include "lib/fanout/fanout_command.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/fanout/host_list.h"
#include "lib/metrics/metrics_file.h"
#include "lib/metrics/run_metrics.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace fanout {

const char kFanoutUsage[] =
    "fanout: trigger a sync on many secretsync agents now and print each host's\n"
    "result (host, result, names changed, duration) and the run's request id.\n"
    "\n"
    "  fanout --hosts_file=agents.txt --ca_file=ca.pem --tls_cert_file=central.pem \\\n"
    "         --tls_key_file=central.key [--token_file=token] [--parallel=16] \\\n"
    "         [--deadline=30m] [--stop_on_failure] [--batch=20 --splay=30s] [--json] \\\n"
    "         [--canary=2 [--require_health]] \\\n"
    "         [--metrics_file=/var/lib/node_exporter/textfile/fanout.prom]\n"
    "\n"
    "--canary=N syncs the first N hosts (in list order) first and starts the\n"
    "others only when every canary is ok and healthy: HEALTHY, or not checked\n"
    "(no health check configured there, or nothing changed) unless\n"
    "--require_health. Then the rest go in --batch batches, and no batch starts\n"
    "after one with a failed or unhealthy host. Hosts not started show as\n"
    "skipped (\"not started: why\"); the reason is printed on stderr.\n"
    "\n"
    "Hosts are host:port or [IPv6]:port; host:port=NAME checks that agent's\n"
    "certificate against NAME instead of --tls_server_name or the host.\n"
    "To retry the hosts that did not succeed, run the same command with\n"
    "--request_id=<the printed id>: agents answer a repeated id of a successful\n"
    "sync from their cache. The default --deadline (30m) exceeds the agents'\n"
    "lock wait plus a whole sync, so an unreachable host never applies later.\n"
    "\n"
    "Exit: 0 every host ok; 77 a host refused the caller (authentication,\n"
    "permission); else 66 (deployment not found) or 65 (request rejected as\n"
    "invalid) or 70 (other RPC error), from the first such host; else 81 (a\n"
    "host rolled back or held back the change: the application was unhealthy\n"
    "with it); else 75 (a sync failed, a host was unreachable or rate limited,\n"
    "or not started: retry later); 64 bad flags or hosts (also --canary\n"
    "outside 0..number of hosts, or a non-loopback host with\n"
    "--insecure_loopback_plaintext: only 127.0.0.0/8, [::1], localhost).\n"
    "\n"
    "A self-hosted Infisical allows 40 secret reads a minute per client IP by\n"
    "default: hosts behind one NAT address need --batch and --splay. The bearer\n"
    "token (--token_file) is one for the whole fleet. See docs/agent.md.";

bool PassesGate(const HostResult& row, bool require_health) {
  if (row.outcome != Outcome::kOk) return false;
  if (row.health == secretsync::v1::HEALTHY) return true;
  return row.health == secretsync::v1::HEALTH_NOT_CHECKED && !require_health;
}

namespace {

// Why `row` did not pass the gate, e.g. "rolled back: unhealthy (exit 1)".
std::string WhyNotPassed(const HostResult& row) {
  const std::string detail = row.health_detail.empty() ? "" : " (" + row.health_detail + ")";
  switch (row.health) {
    case secretsync::v1::UNHEALTHY_ROLLED_BACK:
      return "rolled back: unhealthy" + detail;
    case secretsync::v1::UNHEALTHY:
      return "unhealthy" + detail;
    case secretsync::v1::HELD_BACK:
      return "held back: unhealthy with this content before";
    default:
      break;
  }
  if (row.outcome == Outcome::kOk) return "health not checked (--require_health)";
  if (row.outcome == Outcome::kFailed) return absl::StrCat("failed (exit ", row.exit_code, ")");
  return OutcomeName(row.outcome);
}

}  // namespace

FanoutRun FanOut(const std::vector<HostEntry>& hosts, const FanoutOptions& opts, Clock& clock,
                 const std::function<HostResult(const HostEntry&)>& call) {
  FanoutRun run;
  std::vector<HostResult>& rows = run.rows;
  rows.resize(hosts.size());
  for (size_t i = 0; i < hosts.size(); ++i) rows[i].host = hosts[i].target;
  std::vector<char> started(hosts.size(), 0);  // char: workers write distinct elements
  // Phases [begin, end): the canaries, then the batches.
  std::vector<std::pair<size_t, size_t>> phases;
  const size_t canary = std::min(static_cast<size_t>(std::max(opts.canary, 0)), hosts.size());
  if (canary > 0) phases.emplace_back(0, canary);
  const size_t batch = opts.batch > 0 ? static_cast<size_t>(opts.batch) : hosts.size();
  for (size_t begin = canary; begin < hosts.size(); begin += batch) {
    phases.emplace_back(begin, std::min(hosts.size(), begin + batch));
  }
  std::atomic<bool> failed{false};
  for (size_t p = 0; p < phases.size(); ++p) {
    if (p > 0 && opts.splay > absl::ZeroDuration()) clock.Sleep(opts.splay);
    const auto [begin, end] = phases[p];
    std::mutex mu;
    size_t next = begin;
    auto worker = [&] {
      while (true) {
        size_t i;
        {
          std::lock_guard<std::mutex> l(mu);
          if (next >= end || (opts.stop_on_failure && failed.load())) return;
          i = next++;
        }
        rows[i] = call(hosts[i]);
        started[i] = 1;
        if (!PassesGate(rows[i], opts.require_health)) failed = true;
      }
    };
    const size_t threads = std::min<size_t>(std::max(opts.parallel, 1), end - begin);
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (!opts.stop_on_failure && canary == 0) continue;
    for (size_t i = begin; i < end && run.stopped.empty(); ++i) {
      if (!started[i] || PassesGate(rows[i], opts.require_health)) continue;
      const std::string phase = canary == 0 ? "--stop_on_failure:"
                                : p == 0    ? "canary"
                                            : absl::StrCat("batch ", p, " of ", phases.size() - 1,
                                                           ":");
      run.stopped = absl::StrCat(phase, " ", rows[i].host, " ", WhyNotPassed(rows[i]));
    }
    if (!run.stopped.empty()) break;
  }
  for (size_t i = 0; i < hosts.size(); ++i) {
    if (started[i]) continue;
    rows[i].outcome = Outcome::kSkipped;
    rows[i].error = "not started: " + run.stopped;
  }
  return run;
}

namespace {

absl::Status CheckOptions(const FanoutOptions& opts) {
  if (opts.parallel < 1 || opts.parallel > kMaxParallel) {
    return absl::InvalidArgumentError(absl::StrCat("--parallel: must be 1..", kMaxParallel));
  }
  if (opts.batch < 0) return absl::InvalidArgumentError("--batch: must not be negative");
  if (opts.canary < 0) return absl::InvalidArgumentError("--canary: must not be negative");
  // A deadline past a day (inf included) would overflow the RPC's clock.
  if (opts.deadline <= absl::ZeroDuration() || opts.deadline > absl::Hours(24)) {
    return absl::InvalidArgumentError("--deadline: must be positive and at most 24h");
  }
  // The agent refuses a longer id (INVALID_ARGUMENT) only after the call.
  if (opts.request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--request_id: longer than ", kMaxRequestIdBytes, " bytes"));
  }
  if (opts.splay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--splay: must not be negative");
  }
  if (!opts.insecure_loopback_plaintext &&
      (opts.ca_file.empty() || opts.tls_cert_file.empty() || opts.tls_key_file.empty())) {
    return absl::InvalidArgumentError(
        "--ca_file, --tls_cert_file, --tls_key_file: required (mTLS) unless "
        "--insecure_loopback_plaintext");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<HostEntry>> Hosts(const FanoutOptions& opts, Filesystem& fs) {
  std::vector<HostEntry> hosts;
  for (const std::string& h : opts.hosts) {
    absl::StatusOr<HostEntry> e = ParseHostEntry(h);
    if (!e.ok()) return Annotate(e.status(), "--hosts");
    MergeHosts(hosts, {*std::move(e)});
  }
  if (!opts.hosts_file.empty()) {
    absl::StatusOr<std::string> text = fs.ReadFile(opts.hosts_file, 4 << 20);
    if (!text.ok()) return Annotate(text.status(), "--hosts_file");
    SS_ASSIGN_OR_RETURN(std::vector<HostEntry> more, ParseHostList(*text, opts.hosts_file));
    MergeHosts(hosts, more);
  }
  if (hosts.empty()) return absl::InvalidArgumentError("--hosts/--hosts_file: no host given");
  if (static_cast<size_t>(opts.canary) > hosts.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--canary: ", opts.canary, " is more than the ",
                                                    hosts.size(), " hosts given"));
  }
  if (opts.insecure_loopback_plaintext) {
    for (const HostEntry& h : hosts) {
      if (!IsLoopbackTarget(h.target)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--insecure_loopback_plaintext: host ", h.target.substr(0, 200),
            " is not a loopback IP (127.0.0.0/8, [::1] or localhost); use mTLS"));
      }
    }
  }
  return hosts;
}

absl::StatusOr<std::string> RandomRequestId(RandomSource& random) {
  uint8_t bytes[12];
  SS_RETURN_IF_ERROR(Annotate(random.Fill(bytes, sizeof(bytes)), "request id"));
  return absl::StrCat("fanout-", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

void PrintTable(const std::vector<HostResult>& rows, const std::string& request_id,
                std::ostream& out) {
  size_t w = 4;
  for (const HostResult& r : rows) w = std::max(w, r.host.size());
  out << absl::StrFormat("%-*s  %-11s  %-11s  %8s  %s\n", w, "HOST", "RESULT", "HEALTH", "MS",
                         "CHANGED");
  for (const HostResult& r : rows) {
    std::string changed = r.changed.empty() ? "-" : absl::StrJoin(r.changed, ",");
    if (!r.health_detail.empty()) absl::StrAppend(&changed, "  (health: ", r.health_detail, ")");
    if (!r.error.empty()) absl::StrAppend(&changed, "  (", r.error, ")");
    out << absl::StrFormat("%-*s  %-11s  %-11s  %8d  %s\n", w, r.host, OutcomeName(r.outcome),
                           HealthName(r.health), r.duration_ms, changed);
  }
  out << "request id " << request_id << " (retry with --request_id=" << request_id << ")\n";
}

void PrintJson(const std::vector<HostResult>& rows, const std::string& request_id,
               std::ostream& out) {
  nlohmann::json doc;
  doc["request_id"] = request_id;
  doc["hosts"] = nlohmann::json::array();
  for (const HostResult& r : rows) {
    // null when the host sent no report (not started, or an RPC error).
    nlohmann::json health = nullptr;
    if (r.reported) {
      health = {{"outcome", secretsync::v1::HealthOutcome_Name(r.health)},
                {"check", r.health_check},
                {"detail", r.health_detail}};
    }
    doc["hosts"].push_back({{"host", r.host},
                            {"result", OutcomeName(r.outcome)},
                            {"health", health},
                            {"changed", r.changed},
                            {"duration_ms", r.duration_ms},
                            {"exit_code", r.exit_code},
                            {"error", r.error}});
  }
  // An agent's message may hold invalid UTF-8: print U+FFFD for it rather than
  // throw (which would abort with no output).
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// The run's metrics: its outcome, and per host its result, exit code and
// duration (labels deployment = --deployment or "default", tool = fanout).
void WriteMetrics(const FanoutOptions& opts, const std::vector<HostResult>& rows, int code,
                  absl::Time start, FanoutDeps deps, std::ostream& err) {
  if (opts.metrics_file.empty() || opts.dry_run) return;
  metrics::RunMetrics m;
  m.tool = "fanout";
  m.deployment = opts.deployment.empty() ? "default" : opts.deployment;
  metrics::AddRunOutcome(m, start, deps.clock.TimeNow(), code);
  for (const HostResult& r : rows) {
    m.Add(metrics::kFanoutHostSuccess, r.outcome == Outcome::kOk ? 1 : 0,
          {{"host", r.host}, {"result", OutcomeName(r.outcome)}});
    m.Add(metrics::kFanoutHostExitCode, HostExitCode(r), {{"host", r.host}});
    m.Add(metrics::kFanoutHostDuration, r.duration_ms / 1000.0, {{"host", r.host}});
  }
  metrics::WriteMetricsFileOrWarn(deps.fs, opts.metrics_file, m, err);
}

// 77 before any permanent code before 81 before 75 (see RunFanout).
int RunExitCode(const std::vector<HostResult>& rows) {
  int permanent = kExitOk;
  bool rolled_back = false;
  bool temporary = false;
  for (const HostResult& r : rows) {
    const int code = HostExitCode(r);
    if (code == kExitNoPerm) return kExitNoPerm;
    if (code == kExitTempFail) temporary = true;
    if (code == kExitRolledBack) rolled_back = true;
    if (code != kExitOk && code != kExitTempFail && code != kExitRolledBack &&
        permanent == kExitOk) {
      permanent = code;
    }
  }
  if (permanent != kExitOk) return permanent;
  if (rolled_back) return kExitRolledBack;
  return temporary ? kExitTempFail : kExitOk;
}

}  // namespace

int RunFanout(const FanoutOptions& opts, FanoutDeps deps, std::ostream& out, std::ostream& err) {
  auto fail = [&](const absl::Status& s) {
    err << "fanout: " << s.message() << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : ExitCodeFromStatus(s);
  };
  if (absl::Status s = CheckOptions(opts); !s.ok()) return fail(s);
  absl::StatusOr<std::vector<HostEntry>> hosts = Hosts(opts, deps.fs);
  if (!hosts.ok()) return fail(hosts.status());
  ClientTls tls;
  if (opts.insecure_loopback_plaintext) {
    tls.plaintext = true;
  } else {
    absl::StatusOr<ClientTls> loaded =
        LoadClientTls(deps.fs, opts.ca_file, opts.tls_cert_file, opts.tls_key_file);
    if (!loaded.ok()) return fail(loaded.status());
    tls = *std::move(loaded);
    tls.server_name = opts.tls_server_name;
  }
  SecretValue token;
  if (!opts.token_file.empty()) {
    absl::StatusOr<std::string> text = deps.fs.ReadFile(opts.token_file, 4096);
    if (!text.ok()) return fail(Annotate(text.status(), "--token_file"));
    token = SecretValue(absl::StripAsciiWhitespace(*text));
    std::fill(text->begin(), text->end(), '\0');
  }
  SyncCallSpec spec;
  spec.clock = &deps.clock;
  spec.request_id = opts.request_id;
  if (spec.request_id.empty()) {
    absl::StatusOr<std::string> id = RandomRequestId(deps.random);
    if (!id.ok()) return fail(id.status());
    spec.request_id = *std::move(id);
  }
  spec.deployment = opts.deployment;
  spec.dry_run = opts.dry_run;
  spec.deadline = opts.deadline;
  spec.token = &token;

  const absl::Time start = deps.clock.TimeNow();
  FanoutRun run =
      FanOut(*hosts, opts, deps.clock, [&](const HostEntry& h) { return SyncHost(h, tls, spec); });
  const std::vector<HostResult>& rows = run.rows;
  int counts[6] = {0, 0, 0, 0, 0, 0};
  for (const HostResult& r : rows) {
    ++counts[static_cast<int>(r.outcome)];
    Logger(deps.log)
        .Info("fanout.host")
        .Field("host", r.host)
        .Field("result", OutcomeName(r.outcome))
        .Field("exit", HostExitCode(r))
        .Field("health", HealthName(r.health))
        .Field("ms", r.duration_ms)
        .Field("request_id", spec.request_id);
  }
  Logger(deps.log)
      .Info("fanout.done")
      .Field("hosts", static_cast<long long>(rows.size()))
      .Field("ok", counts[0])
      .Field("failed", counts[1])
      .Field("refused", counts[2])
      .Field("unreachable", counts[3])
      .Field("error", counts[4])
      .Field("skipped", counts[5])
      .Field("ms", absl::ToInt64Milliseconds(deps.clock.TimeNow() - start))
      .Field("request_id", spec.request_id);
  if (!run.stopped.empty()) {
    const int not_started = counts[static_cast<int>(Outcome::kSkipped)];
    Logger(deps.log)
        .Warn("fanout.stopped")
        .Field("not_started", not_started)
        .Field("request_id", spec.request_id);
    err << "fanout: stopped: " << run.stopped << "; " << not_started << " host"
        << (not_started == 1 ? "" : "s") << " not started\n";
  }
  if (opts.json) {
    PrintJson(rows, spec.request_id, out);
  } else {
    PrintTable(rows, spec.request_id, out);
  }
  const int code = RunExitCode(rows);
  WriteMetrics(opts, rows, code, start, deps, err);
  return code;
}

}  // namespace fanout
}  // namespace secretsync

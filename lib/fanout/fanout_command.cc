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
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/fanout/host_list.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace fanout {

const char kFanoutUsage[] =
    "fanout: trigger a sync on many secretsync agents now and print each host's\n"
    "result (host, result, names changed, duration).\n"
    "\n"
    "  fanout --hosts_file=agents.txt --ca_file=ca.pem --tls_cert_file=central.pem \\\n"
    "         --tls_key_file=central.key [--token_file=token] [--parallel=16] \\\n"
    "         [--deadline=60s] [--stop_on_failure] [--batch=20 --splay=30s] [--json]\n"
    "\n"
    "A self-hosted Infisical allows 40 secret reads a minute per client IP by\n"
    "default: hosts behind one NAT address need --batch and --splay. See docs/agent.md.";

std::vector<HostResult> FanOut(const std::vector<std::string>& hosts, const FanoutOptions& opts,
                               Clock& clock,
                               const std::function<HostResult(const std::string&)>& call) {
  std::vector<HostResult> results(hosts.size());
  for (size_t i = 0; i < hosts.size(); ++i) results[i].host = hosts[i];
  std::atomic<bool> failed{false};
  const size_t batch = opts.batch > 0 ? static_cast<size_t>(opts.batch) : hosts.size();
  for (size_t begin = 0; begin < hosts.size(); begin += batch) {
    if (begin > 0 && opts.splay > absl::ZeroDuration()) clock.Sleep(opts.splay);
    const size_t end = std::min(hosts.size(), begin + batch);
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
        results[i] = call(hosts[i]);
        if (results[i].outcome != Outcome::kOk) failed = true;
      }
    };
    const size_t threads = std::min<size_t>(std::max(opts.parallel, 1), end - begin);
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (opts.stop_on_failure && failed.load()) break;
  }
  return results;
}

namespace {

absl::Status CheckOptions(const FanoutOptions& opts) {
  if (opts.parallel < 1) return absl::InvalidArgumentError("--parallel: must be at least 1");
  if (opts.batch < 0) return absl::InvalidArgumentError("--batch: must not be negative");
  if (opts.deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--deadline: must be positive");
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

bool IsLoopbackHost(const std::string& host) {
  return absl::StartsWith(host, "127.") || absl::StartsWith(host, "[::1]:");
}

absl::StatusOr<std::vector<std::string>> Hosts(const FanoutOptions& opts, Filesystem& fs) {
  std::vector<std::string> hosts;
  for (const std::string& h : opts.hosts) {
    SS_RETURN_IF_ERROR(Annotate(CheckHost(h), "--hosts"));
  }
  MergeHosts(hosts, opts.hosts);
  if (!opts.hosts_file.empty()) {
    absl::StatusOr<std::string> text = fs.ReadFile(opts.hosts_file, 4 << 20);
    if (!text.ok()) return Annotate(text.status(), "--hosts_file");
    SS_ASSIGN_OR_RETURN(std::vector<std::string> more, ParseHostList(*text, opts.hosts_file));
    MergeHosts(hosts, more);
  }
  if (hosts.empty()) return absl::InvalidArgumentError("--hosts/--hosts_file: no host given");
  if (opts.insecure_loopback_plaintext) {
    for (const std::string& h : hosts) {
      if (!IsLoopbackHost(h)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--insecure_loopback_plaintext: host ", h, " is not a loopback IP"));
      }
    }
  }
  return hosts;
}

std::string RandomRequestId(RandomSource& random) {
  uint8_t bytes[12];
  if (!random.Fill(bytes, sizeof(bytes)).ok()) return "";
  return absl::StrCat("fanout-", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

void PrintTable(const std::vector<HostResult>& rows, std::ostream& out) {
  size_t w = 4;
  for (const HostResult& r : rows) w = std::max(w, r.host.size());
  out << absl::StrFormat("%-*s  %-11s  %8s  %s\n", w, "HOST", "RESULT", "MS", "CHANGED");
  for (const HostResult& r : rows) {
    std::string changed = r.changed.empty() ? "-" : absl::StrJoin(r.changed, ",");
    if (!r.error.empty()) absl::StrAppend(&changed, "  (", r.error, ")");
    out << absl::StrFormat("%-*s  %-11s  %8d  %s\n", w, r.host, OutcomeName(r.outcome),
                           r.duration_ms, changed);
  }
}

void PrintJson(const std::vector<HostResult>& rows, std::ostream& out) {
  nlohmann::json doc;
  doc["hosts"] = nlohmann::json::array();
  for (const HostResult& r : rows) {
    doc["hosts"].push_back({{"host", r.host},
                            {"result", OutcomeName(r.outcome)},
                            {"changed", r.changed},
                            {"duration_ms", r.duration_ms},
                            {"exit_code", r.exit_code},
                            {"error", r.error}});
  }
  out << doc.dump(2) << "\n";
}

}  // namespace

int RunFanout(const FanoutOptions& opts, FanoutDeps deps, std::ostream& out, std::ostream& err) {
  auto fail = [&](const absl::Status& s) {
    err << "fanout: " << s.message() << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : ExitCodeFromStatus(s);
  };
  if (absl::Status s = CheckOptions(opts); !s.ok()) return fail(s);
  absl::StatusOr<std::vector<std::string>> hosts = Hosts(opts, deps.fs);
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
  spec.request_id = opts.request_id.empty() ? RandomRequestId(deps.random) : opts.request_id;
  spec.deployment = opts.deployment;
  spec.dry_run = opts.dry_run;
  spec.deadline = opts.deadline;
  spec.token = &token;

  const absl::Time start = deps.clock.TimeNow();
  std::vector<HostResult> rows =
      FanOut(*hosts, opts, deps.clock, [&](const std::string& h) { return SyncHost(h, tls, spec); });
  int counts[6] = {0, 0, 0, 0, 0, 0};
  for (const HostResult& r : rows) ++counts[static_cast<int>(r.outcome)];
  Logger(deps.log)
      .Info("fanout.done")
      .Field("hosts", static_cast<long long>(rows.size()))
      .Field("ok", counts[0])
      .Field("failed", counts[1])
      .Field("refused", counts[2])
      .Field("unreachable", counts[3])
      .Field("error", counts[4])
      .Field("skipped", counts[5])
      .Field("ms", absl::ToInt64Milliseconds(deps.clock.TimeNow() - start));
  if (opts.json) {
    PrintJson(rows, out);
  } else {
    PrintTable(rows, out);
  }
  if (counts[static_cast<int>(Outcome::kRefused)] > 0) return kExitNoPerm;
  if (counts[0] != static_cast<int>(rows.size())) return kExitTempFail;
  return kExitOk;
}

}  // namespace fanout
}  // namespace secretsync

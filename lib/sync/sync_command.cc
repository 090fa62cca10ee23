// sync command: resolve the deployment, run the sync core (or only its
// checks), print the report.
#include "lib/sync/sync_command.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/exit_codes.h"
#include "lib/base/log.h"
#include "lib/base/user_path.h"
#include "lib/config/deployment.h"
#include "lib/metrics/run_metrics.h"
#include "lib/metrics/secret_observer.h"
#include "lib/sync/sync_deployment.h"
#include "proto/report.pb.h"

namespace secretsync {
namespace sync {

const char kSyncUsage[] =
    "render a .env from Infisical secrets, atomically and with mode 0600.\n"
    "\n"
    "  sync --config=/etc/secretsync/glitchtip.textproto\n"
    "  sync --config=... --dry-run      # names of what would change; writes nothing\n"
    "  sync --config=... --check        # every offline check of a real run; no network\n"
    "  sync --config=... --json         # machine-readable report\n"
    "\n"
    "Fetches the config's project/environment/path, validates the secrets against\n"
    "the spec, renders the template, and replaces the output only when its bytes\n"
    "change (an unchanged output is still brought back to the configured mode and\n"
    "owner); then runs the on-change command with SECRETSYNC_CHANGED (variable\n"
    "names), SECRETSYNC_CHANGED_FILE and SECRETSYNC_SERVICES (services mapped to the\n"
    "changed secrets), and an allowlisted environment. A failed on-change command\n"
    "is retried by every later run until it succeeds.\n"
    "On any error the existing output is left as it was. Output names, never values.\n"
    "With --metrics_file (or the config's metrics_file), every run but --check and\n"
    "--dry-run also writes Prometheus metrics for node_exporter's textfile\n"
    "collector (docs/metrics.md); a metrics file that cannot be written is a\n"
    "warning and never changes the exit code.\n";

namespace {

using v1::SyncReport;

std::string Names(const google::protobuf::RepeatedPtrField<std::string>& names) {
  return names.empty() ? "-" : absl::StrJoin(names, ",");
}

void PrintText(const SyncReport& r, std::ostream& out) {
  if (!r.error().empty()) return;  // the error went to stderr
  const bool differs = r.added_size() + r.changed_size() + r.removed_size() > 0;
  if (r.unparsable_lines() > 0) {
    out << "sync: " << r.unparsable_lines() << " unparsable lines in the old "
        << r.output_path() << " were ignored\n";
  }
  if (r.dry_run()) {
    if (!differs) {
      out << "sync: dry run: " << r.output_path() << " is up to date"
          << (r.mode_fixed() ? " (its mode or owner would be restored)" : "") << "\n";
    } else {
      out << "sync: dry run: " << r.output_path() << " would change: added " << Names(r.added())
          << "; changed " << Names(r.changed()) << "; removed " << Names(r.removed()) << "\n";
    }
    return;
  }
  if (!r.written()) {
    out << "sync: " << r.output_path() << " is up to date (" << r.secrets_fetched()
        << " secrets fetched)\n";
  } else {
    out << "sync: updated " << r.output_path() << ": added " << Names(r.added()) << "; changed "
        << Names(r.changed()) << "; removed " << Names(r.removed()) << "\n";
  }
  if (r.mode_fixed()) out << "sync: restored the mode and owner of " << r.output_path() << "\n";
  if (r.command().ran()) {
    out << "sync: on-change command" << (r.command_retried() ? " (retried)" : "") << " exited "
        << r.command().exit_code() << "\n";
  }
}

void PrintJson(const SyncReport& r, std::ostream& out) {
  std::string json;
  google::protobuf::util::JsonPrintOptions jo;
  jo.always_print_primitive_fields = true;
  jo.preserve_proto_field_names = true;
  if (google::protobuf::util::MessageToJsonString(r, &json, jo).ok()) out << json << "\n";
}

// One run; leaves the loaded deployment in `loaded` and the core's report
// in `report` when it got that far.
int RunSyncOnce(const SyncOptions& o, System& sys, std::ostream& out, std::ostream& err,
                std::optional<config::Deployment>& loaded, std::optional<SyncReport>& report_out) {
  Logger log(sys.log);
  absl::StatusOr<config::Deployment> d =
      config::LoadDeployment(o.config_path, o.overrides, sys.fs, sys.env, sys.users);
  if (d.ok()) loaded = *d;
  if (!d.ok()) {
    const int code = absl::IsInvalidArgument(d.status()) ? static_cast<int>(kExitUsage)
                                                         : ExitCodeFromStatus(d.status());
    err << "sync: " << d.status().message() << "\n";
    return code;
  }
  if (o.check) {
    absl::Status checked = CheckDeployment(*d, sys);
    if (!checked.ok()) {
      err << "sync: " << checked.message() << "\n";
      return ExitCodeFromStatus(checked);
    }
    out << "sync: config " << d->config_path << ", template " << d->config.template_path()
        << " and output " << d->config.output_path() << " pass every offline check\n";
    return kExitOk;
  }

  SyncRequest request;
  request.dry_run = o.dry_run;
  request.run_command = o.run_command;
  request.wait_lock = o.wait_lock;
  const SyncReport& report = report_out.emplace(SyncDeployment(*d, request, sys));
  if (report.exit_code() != kExitOk) {
    log.Error("sync.failed").Field("code", report.exit_code()).Field("ms", report.duration_ms());
    err << "sync: " << report.error() << "\n";
    if (report.exit_code() != kExitOnChangeFailed) {
      err << "sync: " << report.output_path() << " was left unchanged\n";
    }
  } else {
    log.Info("sync.done")
        .Field("path", report.output_path())
        .Field("written", report.written() ? "true" : "false")
        .Field("ms", report.duration_ms());
  }
  if (o.json) {
    PrintJson(report, out);
  } else {
    PrintText(report, out);
  }
  return report.exit_code();
}

}  // namespace

int RunSync(const SyncOptions& o, System& sys, std::ostream& out, std::ostream& err) {
  metrics::SecretObserver observer;
  System observed = sys;
  observed.stores = observer.Wrap(sys.stores);
  const absl::Time started = sys.clock.TimeNow();
  std::optional<config::Deployment> d;
  std::optional<SyncReport> report;
  const int code = RunSyncOnce(o, observed, out, err, d, report);
  if (o.check || o.dry_run) return code;
  const std::string path = d.has_value()
                               ? metrics::MetricsFilePath(ResolveUserPath(o.metrics_file, sys.env), *d)
                               : ResolveUserPath(o.metrics_file, sys.env);
  if (path.empty()) return code;
  metrics::RunMetrics m;
  m.tool = "sync";
  m.deployment = metrics::DeploymentLabel(d.has_value() ? d->config_path : o.config_path);
  metrics::AddRunOutcome(m, started, sys.clock.TimeNow(), code);
  if (o.counters != nullptr) metrics::AddCounters(m, *o.counters);
  if (report.has_value()) metrics::AddSyncReport(m, *report);
  if (d.has_value()) metrics::AddRotationState(m, *d, observer, sys.clock.TimeNow(), sys.fs);
  metrics::WriteMetricsFileOrWarn(sys.fs, path, m, err);
  return code;
}

}  // namespace sync
}  // namespace secretsync

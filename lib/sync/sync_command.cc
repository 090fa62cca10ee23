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
    "  sync --config=... --force        # apply content held back as unhealthy\n"
    "\n"
    "Fetches the config's project/environment/path, validates the secrets against\n"
    "the spec, renders the template, and replaces the output only when its bytes\n"
    "change (an unchanged output is still brought back to the configured mode and\n"
    "owner); then runs the on-change command with SECRETSYNC_CHANGED (variable\n"
    "names), SECRETSYNC_CHANGED_FILE and SECRETSYNC_SERVICES (services mapped to the\n"
    "changed secrets), and an allowlisted environment. A failed on-change command\n"
    "is retried by every later run until it succeeds.\n"
    "With a health_check in the config, the application is checked after the\n"
    "on-change command; when it is unhealthy the previous .env is written back, the\n"
    "command runs again and sync exits 81 (rolled back). That content is then held\n"
    "back (exit 81, nothing written or run) until the secrets change or --force is\n"
    "given. With rollback_on_unhealthy: ROLLBACK_NEVER, or on a first write, an\n"
    "unhealthy result exits 79 and the change is kept.\n"
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

// The health line; "" when nothing was checked.
std::string HealthLine(const SyncReport& r) {
  const v1::HealthReport& h = r.health();
  switch (h.outcome()) {
    case v1::HEALTHY:
      return absl::StrCat("sync: health check ", h.check(), ": healthy (", h.attempts(),
                          h.attempts() == 1 ? " attempt, " : " attempts, ", h.duration_ms(),
                          " ms)\n");
    case v1::UNHEALTHY:
      return absl::StrCat("sync: health check ", h.check(), ": UNHEALTHY: ", h.detail(),
                          "; the change was kept\n");
    case v1::UNHEALTHY_ROLLED_BACK:
      return absl::StrCat("sync: health check ", h.check(), ": UNHEALTHY: ", h.detail(),
                          "; rolled back to the previous ", r.output_path(), " (",
                          h.healthy_after_rollback() ? "healthy again" : "still unhealthy",
                          ")\n");
    case v1::HELD_BACK:
      return absl::StrCat("sync: HELD BACK: this content was unhealthy before; ",
                          r.output_path(), " was not changed (sync --force applies it)\n");
    default:
      return "";
  }
}

void PrintText(const SyncReport& r, std::ostream& out) {
  if (!r.error().empty()) {  // the error went to stderr
    out << HealthLine(r);
    return;
  }
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
  out << HealthLine(r);
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
  request.force = o.force;
  request.wait_lock = o.wait_lock;
  const SyncReport& report = report_out.emplace(SyncDeployment(*d, request, sys));
  if (report.exit_code() != kExitOk) {
    log.Error("sync.failed").Field("code", report.exit_code()).Field("ms", report.duration_ms());
    err << "sync: " << report.error() << "\n";
    if (report.exit_code() != kExitOnChangeFailed && report.exit_code() != kExitRolledBack) {
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
  metrics::RunRecord run("sync", o.metrics_file, o.config_path, started, o.counters);
  run.exit_code = code;
  run.deployment = d.has_value() ? &*d : nullptr;
  run.sync = report.has_value() ? &*report : nullptr;
  run.observer = &observer;
  metrics::WriteRunMetricsOrWarn(run, sys, err);
  return code;
}

}  // namespace sync
}  // namespace secretsync

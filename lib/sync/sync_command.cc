// sync command: config, lock, fetch, plan, atomic write, on-change command,
// report. Every step before the rename leaves the old .env untouched.
#include "lib/sync/sync_command.h"

#include <grp.h>
#include <pwd.h>

#include <optional>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/base/user_path.h"
#include "lib/config/loader.h"
#include "lib/fileio/atomic_writer.h"
#include "lib/fileio/file_lock.h"
#include "lib/sync/plan.h"
#include "lib/template/template.h"
#include "proto/report.pb.h"

ABSL_FLAG(std::string, config, "", "deployment config (text proto); required");
ABSL_FLAG(std::string, site_url, "", "override infisical.site_url");
ABSL_FLAG(std::string, environment, "", "override the environment slug");
ABSL_FLAG(std::string, secret_path, "", "override the secret path");
ABSL_FLAG(std::string, template_path, "", "override the template path");
ABSL_FLAG(std::string, output, "", "override the output (.env) path");
ABSL_FLAG(bool, dry_run, false, "fetch, validate and diff, but write nothing and run nothing");
ABSL_FLAG(bool, check, false, "check the config and template only: no network, no writes");
ABSL_FLAG(bool, json, false, "print the report as one JSON object");
ABSL_FLAG(bool, run_command, true, "run the on-change command when the file changes");
ABSL_FLAG(absl::Duration, wait_lock, absl::Seconds(60),
          "how long to wait for another sync of the same file to finish");

namespace secretsync {
namespace sync {

const char kSyncUsage[] =
    "render a .env from Infisical secrets, atomically and with mode 0600.\n"
    "\n"
    "  sync --config=/etc/secretsync/glitchtip.textproto\n"
    "  sync --config=... --dry-run      # names of what would change; writes nothing\n"
    "  sync --config=... --check        # config and template only, offline\n"
    "  sync --config=... --json         # machine-readable report\n"
    "\n"
    "Fetches the config's project/environment/path, validates the secrets against\n"
    "the spec, renders the template, and replaces the output only when its bytes\n"
    "change; then runs the on-change command with SECRETSYNC_CHANGED (variable\n"
    "names) and SECRETSYNC_SERVICES (services mapped to the changed secrets).\n"
    "On any error the existing output is left as it was. Output names, never values.\n";

SyncOptions SyncOptionsFromFlags() {
  SyncOptions o;
  o.config_path = absl::GetFlag(FLAGS_config);
  o.site_url = absl::GetFlag(FLAGS_site_url);
  o.environment = absl::GetFlag(FLAGS_environment);
  o.secret_path = absl::GetFlag(FLAGS_secret_path);
  o.template_path = absl::GetFlag(FLAGS_template_path);
  o.output_path = absl::GetFlag(FLAGS_output);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.check = absl::GetFlag(FLAGS_check);
  o.json = absl::GetFlag(FLAGS_json);
  o.run_command = absl::GetFlag(FLAGS_run_command);
  o.wait_lock = absl::GetFlag(FLAGS_wait_lock);
  return o;
}

namespace {

using secretsync::v1::DeploymentConfig;
using secretsync::v1::SyncReport;

constexpr size_t kMaxTemplateBytes = 1 << 20;
constexpr size_t kMaxEnvBytes = 16 << 20;

// A failure that already knows its exit code (e.g. the on-change command).
struct Outcome {
  absl::Status status;
  int exit_code = kExitOk;
};

absl::StatusOr<uint32_t> ParseMode(const std::string& text) {
  uint32_t mode = 0;
  if (!absl::numbers_internal::safe_strtou32_base(text, &mode, 8)) {
    return absl::FailedPreconditionError(absl::StrCat("config: bad file_mode ", text));
  }
  return mode;
}

absl::StatusOr<std::optional<uid_t>> ResolveUser(const std::string& name) {
  if (name.empty()) return std::optional<uid_t>();
  uint32_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return std::optional<uid_t>(id);
  struct passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("config: owner ", name, " is not a user"));
  }
  return std::optional<uid_t>(pw->pw_uid);
}

absl::StatusOr<std::optional<gid_t>> ResolveGroup(const std::string& name) {
  if (name.empty()) return std::optional<gid_t>();
  uint32_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return std::optional<gid_t>(id);
  struct group* gr = getgrnam(name.c_str());
  if (gr == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("config: group ", name, " is not a group"));
  }
  return std::optional<gid_t>(gr->gr_gid);
}

absl::StatusOr<config::LoadedConfig> LoadWithOverrides(const SyncOptions& o, const System& sys) {
  if (o.config_path.empty()) {
    return absl::InvalidArgumentError("--config is required (see --help)");
  }
  SS_ASSIGN_OR_RETURN(config::LoadedConfig loaded,
                      config::LoadConfig(ResolveUserPath(o.config_path, sys.env)));
  DeploymentConfig& c = loaded.config;
  if (!o.site_url.empty()) c.mutable_infisical()->set_site_url(o.site_url);
  if (!o.environment.empty()) c.set_environment(o.environment);
  if (!o.secret_path.empty()) c.set_secret_path(o.secret_path);
  if (!o.template_path.empty()) c.set_template_path(ResolveUserPath(o.template_path, sys.env));
  if (!o.output_path.empty()) {
    const bool default_lock = c.lock_file() == c.output_path() + ".lock";
    c.set_output_path(ResolveUserPath(o.output_path, sys.env));
    if (default_lock) c.set_lock_file(c.output_path() + ".lock");
  }
  if (c.template_path().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("config ", loaded.path, ": template_path is not set"));
  }
  if (c.output_path().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("config ", loaded.path, ": output_path is not set"));
  }
  return loaded;
}

absl::StatusOr<tmpl::Template> LoadTemplate(const DeploymentConfig& c, Filesystem& fs) {
  auto text = fs.ReadFile(c.template_path(), kMaxTemplateBytes);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("template ", c.template_path(), " does not exist"));
  }
  SS_RETURN_IF_ERROR(Annotate(text.status(), absl::StrCat("read template ", c.template_path())));
  return tmpl::ParseTemplate(*text, c.template_path());
}

absl::StatusOr<std::optional<std::string>> ReadExisting(const std::string& path, Filesystem& fs) {
  auto text = fs.ReadFile(path, kMaxEnvBytes);
  if (absl::IsNotFound(text.status())) return std::optional<std::string>();
  SS_RETURN_IF_ERROR(Annotate(text.status(), absl::StrCat("read ", path)));
  return std::optional<std::string>(std::move(*text));
}

Outcome RunOnChange(const DeploymentConfig& c, const Plan& plan, System& sys, SyncReport& report) {
  std::vector<std::string> names = plan.added;
  names.insert(names.end(), plan.changed.begin(), plan.changed.end());
  names.insert(names.end(), plan.removed.begin(), plan.removed.end());
  std::vector<std::string> argv(c.on_change().command().begin(), c.on_change().command().end());
  auto* cmd = report.mutable_command();
  for (const auto& s : plan.services) cmd->add_services(s);
  Logger log(sys.log);
  auto result = sys.commands.Run(argv,
                                 {{"SECRETSYNC_CHANGED", absl::StrJoin(names, ",")},
                                  {"SECRETSYNC_SERVICES", absl::StrJoin(plan.services, " ")},
                                  {"SECRETSYNC_OUTPUT", c.output_path()}},
                                 absl::Seconds(c.on_change().timeout_seconds()));
  if (!result.ok()) {
    return {Annotate(result.status(), "on-change command"), kExitOnChangeFailed};
  }
  cmd->set_ran(true);
  cmd->set_exit_code(result->exit_code);
  cmd->set_timed_out(result->timed_out);
  log.Info("sync.command")
      .Field("exit", result->exit_code)
      .Field("timed_out", result->timed_out ? "true" : "false");
  if (result->timed_out) {
    return {absl::DeadlineExceededError(absl::StrCat(
                "on-change command ", argv[0], " timed out after ",
                c.on_change().timeout_seconds(), "s; ", c.output_path(), " was updated")),
            kExitOnChangeFailed};
  }
  if (result->exit_code != 0) {
    return {absl::AbortedError(absl::StrCat("on-change command ", argv[0], " exited with ",
                                            result->exit_code, "; ", c.output_path(),
                                            " was updated: rerun the command by hand")),
            kExitOnChangeFailed};
  }
  return {absl::OkStatus(), kExitOk};
}

Outcome Sync(const SyncOptions& o, System& sys, SyncReport& report, std::ostream& out) {
  Logger log(sys.log);
  auto loaded = LoadWithOverrides(o, sys);
  if (!loaded.ok()) return {loaded.status(), ExitCodeFromStatus(loaded.status())};
  const DeploymentConfig& c = loaded->config;
  report.set_output_path(c.output_path());
  report.set_dry_run(o.dry_run);
  auto fail = [](const absl::Status& s) { return Outcome{s, ExitCodeFromStatus(s)}; };

  auto tmpl = LoadTemplate(c, sys.fs);
  if (!tmpl.ok()) {
    // A template that does not parse is bad data; a missing one is NotFound.
    return fail(tmpl.status());
  }
  auto mode = ParseMode(c.file_mode());
  if (!mode.ok()) return fail(mode.status());
  auto uid = ResolveUser(c.owner());
  if (!uid.ok()) return fail(uid.status());
  auto gid = ResolveGroup(c.group());
  if (!gid.ok()) return fail(gid.status());
  if (o.check) {
    out << "sync: config " << loaded->path << " and template " << c.template_path() << " are valid ("
        << tmpl->ReferencedNames().size() << " secrets referenced: "
        << absl::StrJoin(tmpl->ReferencedNames(), ",") << ")\n";
    return {absl::OkStatus(), kExitOk};
  }

  // Serialize with cron, the agent and people; then clear a crashed run's temp files.
  std::optional<fileio::FileLock> lock;
  if (!o.dry_run) {
    auto held = fileio::AcquireLock(sys.fs, sys.clock, c.lock_file(), o.wait_lock);
    if (!held.ok()) return fail(held.status());
    lock.emplace(std::move(*held));
    for (const std::string& path : {c.output_path(), c.output_path() + ".bak"}) {
      absl::Status cleaned = fileio::RemoveStaleTempFiles(sys.fs, path);
      if (!cleaned.ok()) log.Warn("sync.stale_temp_cleanup").Field("why", cleaned.message());
    }
  }

  auto store = sys.stores(c);
  if (!store.ok()) return fail(store.status());
  infisical::SecretScope scope;
  scope.project_id = c.project_id();
  scope.project_slug = c.project_slug();
  scope.environment = c.environment();
  scope.secret_path = c.secret_path();
  scope.include_imports = c.include_imports();
  scope.expand_references = c.expand_references();
  auto secrets = (*store)->List(scope);
  if (!secrets.ok()) {
    return fail(Annotate(secrets.status(), absl::StrCat("fetch ", c.environment(), ":",
                                                        c.secret_path())));
  }
  report.set_secrets_fetched(static_cast<int32_t>(secrets->size()));

  auto existing = ReadExisting(c.output_path(), sys.fs);
  if (!existing.ok()) return fail(existing.status());
  auto plan = MakePlan(c, *tmpl, *secrets, *existing, log);
  if (!plan.ok()) return fail(plan.status());
  for (const auto& n : plan->added) report.add_added(n);
  for (const auto& n : plan->changed) report.add_changed(n);
  for (const auto& n : plan->removed) report.add_removed(n);
  if (plan->unchanged || o.dry_run) return {absl::OkStatus(), kExitOk};

  fileio::WriteOptions wo;
  wo.mode = *mode;
  wo.uid = *uid;
  wo.gid = *gid;
  if (c.backup()) wo.backup_path = c.output_path() + ".bak";
  absl::Status written = fileio::WriteFileAtomically(sys.fs, c.output_path(), plan->content, wo);
  if (!written.ok()) {
    return {Annotate(written, absl::StrCat("write ", c.output_path())), kExitCantCreate};
  }
  report.set_written(true);
  log.Info("sync.written")
      .Field("path", c.output_path())
      .Field("added", absl::StrJoin(plan->added, ","))
      .Field("changed", absl::StrJoin(plan->changed, ","))
      .Field("removed", absl::StrJoin(plan->removed, ","));
  if (!o.run_command || c.on_change().command_size() == 0) return {absl::OkStatus(), kExitOk};
  return RunOnChange(c, *plan, sys, report);
}

std::string Names(const google::protobuf::RepeatedPtrField<std::string>& names) {
  return names.empty() ? "-" : absl::StrJoin(names, ",");
}

void PrintText(const SyncReport& r, std::ostream& out) {
  if (!r.error().empty()) return;  // the error went to stderr
  const bool differs = r.added_size() + r.changed_size() + r.removed_size() > 0;
  if (r.dry_run()) {
    if (!differs) {
      out << "sync: dry run: " << r.output_path() << " is up to date\n";
    } else {
      out << "sync: dry run: " << r.output_path() << " would change: added " << Names(r.added())
          << "; changed " << Names(r.changed()) << "; removed " << Names(r.removed()) << "\n";
    }
    return;
  }
  if (!r.written()) {
    out << "sync: " << r.output_path() << " is up to date (" << r.secrets_fetched()
        << " secrets fetched)\n";
    return;
  }
  out << "sync: updated " << r.output_path() << ": added " << Names(r.added()) << "; changed "
      << Names(r.changed()) << "; removed " << Names(r.removed()) << "\n";
  if (r.command().ran()) {
    out << "sync: on-change command exited " << r.command().exit_code() << "\n";
  }
}

}  // namespace

int RunSync(const SyncOptions& o, System sys, std::ostream& out, std::ostream& err) {
  const absl::Time start = sys.clock.TimeNow();
  SyncReport report;
  Outcome outcome = Sync(o, sys, report, out);
  report.set_duration_ms(absl::ToInt64Milliseconds(sys.clock.TimeNow() - start));
  report.set_exit_code(outcome.exit_code);
  Logger log(sys.log);
  if (!outcome.status.ok()) {
    report.set_error(std::string(outcome.status.message()));
    log.Error("sync.failed")
        .Field("code", outcome.exit_code)
        .Field("ms", report.duration_ms());
    err << "sync: " << outcome.status.message() << "\n";
    if (outcome.exit_code != kExitOnChangeFailed && !report.output_path().empty()) {
      err << "sync: " << report.output_path() << " was left unchanged\n";
    }
  } else {
    log.Info("sync.done")
        .Field("path", report.output_path())
        .Field("written", report.written() ? "true" : "false")
        .Field("ms", report.duration_ms());
  }
  if (o.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions jo;
    jo.always_print_primitive_fields = true;
    jo.preserve_proto_field_names = true;
    if (google::protobuf::util::MessageToJsonString(report, &json, jo).ok()) out << json << "\n";
  } else if (!o.check) {
    PrintText(report, out);
  }
  return outcome.exit_code;
}

}  // namespace sync
}  // namespace secretsync

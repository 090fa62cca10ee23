// RunOnChange: the allowlisted environment, the bounded name list, and the
// marker that makes a failed or interrupted command be retried by the next run.
#include "lib/sync/on_change.h"

#include <pwd.h>
#include <unistd.h>

#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/text_format.h"
#include "lib/base/exit_codes.h"
#include "lib/base/failpoint.h"
#include "lib/base/log.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"
#include "lib/sync/file_owner.h"

namespace secretsync {
namespace sync {
namespace {

constexpr size_t kMaxMarkerBytes = 4 << 20;

bool Allowlisted(absl::string_view name, const v1::OnChange& on_change) {
  static constexpr absl::string_view kNames[] = {"PATH", "HOME", "USER", "LOGNAME",
                                                 "SHELL", "LANG", "TZ"};
  static constexpr absl::string_view kPrefixes[] = {"LC_", "DOCKER_", "COMPOSE_"};
  for (absl::string_view n : kNames) {
    if (name == n) return true;
  }
  for (absl::string_view p : kPrefixes) {
    if (absl::StartsWith(name, p)) return true;
  }
  for (const std::string& n : on_change.pass_env()) {
    if (name == n) return true;
  }
  return false;
}

// The names joined by commas, cut at a name boundary to fit kMaxChangedEnvBytes.
std::string BoundedNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    const size_t extra = n.size() + (out.empty() ? 0 : 1);
    if (out.size() + extra > kMaxChangedEnvBytes) break;
    if (!out.empty()) out.push_back(',');
    out.append(n);
  }
  return out;
}

std::vector<std::string> Union(const std::vector<std::string>& a,
                               const google::protobuf::RepeatedPtrField<std::string>& b) {
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  return {all.begin(), all.end()};
}

absl::Status WriteMarker(const config::Deployment& d, Filesystem& fs,
                         const v1::PendingOnChange& pending) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(pending, &text);
  fileio::WriteOptions options;
  options.preferred_owner = DeploymentFileOwner(d, fs);
  return fileio::WriteFileAtomically(fs, PendingOnChangePath(d), text, options);
}

// The command line that runs `command` as the deployment's configured owner
// when this process is root: root's runs (timer, cron) and the owner's own
// runs (the agent's user) then run the command with the same rights and leave
// files the other can replace. Unchanged when no owner (or root) is
// configured, or when this process is not root. setpriv (util-linux, always
// installed on Debian) drops the ids after posix_spawn, which cannot.
std::vector<std::string> AsDeploymentOwner(const config::Deployment& d,
                                           std::vector<std::string> command) {
  if (geteuid() != 0 || !d.owner.has_value() || *d.owner == 0) return command;
  struct passwd entry;
  struct passwd* found = nullptr;
  char buffer[4096];
  getpwuid_r(*d.owner, &entry, buffer, sizeof(buffer), &found);
  gid_t gid = d.group.has_value() ? *d.group : (found != nullptr ? found->pw_gid : *d.owner);
  std::vector<std::string> argv = {"/usr/bin/setpriv", absl::StrCat("--reuid=", *d.owner),
                                   absl::StrCat("--regid=", gid),
                                   found != nullptr ? "--init-groups" : "--clear-groups", "--"};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace

std::string PendingOnChangePath(const config::Deployment& d) {
  return absl::StrCat(d.config.lock_file(), ".onchange-failed");
}

absl::StatusOr<std::optional<v1::PendingOnChange>> ReadPendingOnChange(
    const config::Deployment& d, Filesystem& fs) {
  auto text = fs.ReadFile(PendingOnChangePath(d), kMaxMarkerBytes, Symlinks::kRefuse);
  if (absl::IsNotFound(text.status())) return std::optional<v1::PendingOnChange>();
  SS_RETURN_IF_ERROR(text.status());
  v1::PendingOnChange pending;
  // A damaged marker still means "a command failed": retry with no names.
  if (!google::protobuf::TextFormat::ParseFromString(*text, &pending)) pending.Clear();
  return std::optional<v1::PendingOnChange>(std::move(pending));
}

std::map<std::string, std::string> CommandEnvironment(
    const config::Deployment& d, const Environment& env,
    const std::map<std::string, std::string>& secretsync_vars) {
  std::map<std::string, std::string> out;
  for (const std::string& name : env.Names()) {
    if (!Allowlisted(name, d.config.on_change())) continue;
    if (std::optional<std::string> value = env.Get(name)) out[name] = *value;
  }
  for (const auto& [name, value] : secretsync_vars) out[name] = value;
  return out;
}

absl::Status RunOnChange(const config::Deployment& d, OnChangeRequest request, System& sys,
                         v1::CommandReport& report) {
  Logger log(sys.log);
  const v1::OnChange& on_change = d.config.on_change();
  SS_ASSIGN_OR_RETURN(std::optional<v1::PendingOnChange> pending, ReadPendingOnChange(d, sys.fs));
  if (pending.has_value()) {
    request.changed = Union(request.changed, pending->changed());
    request.services = Union(request.services, pending->services());
  }
  for (const std::string& s : request.services) report.add_services(s);

  const std::string names_file = absl::StrCat(d.config.lock_file(), ".changed");
  std::string names_text = absl::StrJoin(request.changed, "\n");
  if (!names_text.empty()) names_text.push_back('\n');
  fileio::WriteOptions names_options;
  names_options.preferred_owner = DeploymentFileOwner(d, sys.fs);
  SS_RETURN_IF_ERROR(Annotate(
      fileio::WriteFileAtomically(sys.fs, names_file, names_text, names_options),
      "on-change command: write the list of changed names"));

  // Remembered before the command starts, so that a run killed while the
  // command runs (a crash, SIGKILL, a reboot) leaves the restart to the next
  // run instead of losing it: the next run finds .env unchanged and would
  // otherwise restart nothing. Removed on success.
  v1::PendingOnChange started;
  for (const std::string& n : request.changed) started.add_changed(n);
  for (const std::string& s : request.services) started.add_services(s);
  if (pending.has_value()) {
    started.set_failed_at_unix(pending->failed_at_unix());
    started.set_attempts(pending->attempts());
  }
  absl::Status marked = WriteMarker(d, sys.fs, started);
  if (!marked.ok()) log.Warn("sync.pending_command_not_recorded").Field("why", marked.message());
  FailpointFromEnvironment(sys.env)("on_change_started");

  const std::vector<std::string> command(on_change.command().begin(),
                                         on_change.command().end());
  const std::vector<std::string> argv = AsDeploymentOwner(d, command);
  const std::map<std::string, std::string> env =
      CommandEnvironment(d, sys.env,
                         {{"SECRETSYNC_CHANGED", BoundedNames(request.changed)},
                          {"SECRETSYNC_CHANGED_FILE", names_file},
                          {"SECRETSYNC_SERVICES", absl::StrJoin(request.services, " ")},
                          {"SECRETSYNC_OUTPUT", d.config.output_path()}});
  absl::StatusOr<CommandResult> result =
      sys.commands.Run(argv, env, absl::Seconds(on_change.timeout_seconds()));

  absl::Status failure;
  if (!result.ok()) {
    failure = Annotate(result.status(), absl::StrCat("on-change command ", command[0]));
  } else {
    report.set_ran(true);
    report.set_exit_code(result->exit_code);
    report.set_timed_out(result->timed_out);
    log.Info("sync.command")
        .Field("exit", result->exit_code)
        .Field("timed_out", result->timed_out ? "true" : "false");
    if (result->timed_out) {
      failure = absl::DeadlineExceededError(absl::StrCat(
          "on-change command ", command[0], " timed out after ", on_change.timeout_seconds(), "s"));
    } else if (result->exit_code != 0) {
      failure = absl::AbortedError(
          absl::StrCat("on-change command ", command[0], " exited with ", result->exit_code));
    }
  }
  if (failure.ok()) {
    absl::Status cleared = sys.fs.Unlink(PendingOnChangePath(d));
    if (!cleared.ok() && !absl::IsNotFound(cleared)) {
      log.Warn("sync.pending_command_not_cleared").Field("why", cleared.message());
    }
    return absl::OkStatus();
  }

  v1::PendingOnChange next = std::move(started);
  next.set_failed_at_unix(absl::ToUnixSeconds(sys.clock.TimeNow()));
  next.set_attempts((pending.has_value() ? pending->attempts() : 0) + 1);
  absl::Status remembered = WriteMarker(d, sys.fs, next);
  const std::string services =
      request.services.empty() ? "the services that use it" : absl::StrJoin(request.services, " ");
  std::string advice = absl::StrCat(
      d.config.output_path(), " was updated but ", services,
      " still run with the old secrets: restart them by hand (e.g. docker compose up -d "
      "--no-deps ",
      services, ")");
  if (remembered.ok()) {
    absl::StrAppend(&advice, "; the next sync retries the command");
  } else {
    absl::StrAppend(&advice, "; could not record the failure for a retry: ", remembered.message());
  }
  return WithExitCode(absl::Status(failure.code(), absl::StrCat(failure.message(), "; ", advice)),
                      kExitOnChangeFailed);
}

}  // namespace sync
}  // namespace secretsync

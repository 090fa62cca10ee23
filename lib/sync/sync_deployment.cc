// SyncDeployment: check, lock, fetch, plan, write, on-change; every step
// before the rename leaves the old output and its backup untouched.
#include "lib/sync/sync_deployment.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/exit_codes.h"
#include "lib/base/log.h"
#include "lib/base/sha256.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"
#include "lib/fileio/file_lock.h"
#include "lib/infisical/secret_store.h"
#include "lib/sync/file_owner.h"
#include "lib/sync/health_gate.h"
#include "lib/sync/on_change.h"
#include "lib/sync/pending_rotation.h"
#include "lib/sync/plan.h"
#include "lib/template/template.h"

namespace secretsync {
namespace sync {
namespace {

using v1::CredentialSource;
using v1::DeploymentConfig;
using v1::SyncReport;

absl::Status ConfigError(absl::string_view message) {
  return WithExitCode(absl::FailedPreconditionError(message), kExitConfig);
}

absl::Status OutputError(absl::Status s) { return WithExitCode(std::move(s), kExitCantCreate); }

// The files a sync reads and must never overwrite, with what they are.
std::vector<std::pair<std::string, std::string>> Inputs(const config::Deployment& d) {
  const DeploymentConfig& c = d.config;
  std::vector<std::pair<std::string, std::string>> out = {
      {"the template", c.template_path()},
      {"the config", d.config_path},
      {"the lock file", c.lock_file()},
  };
  if (!c.auth().token_cache_file().empty()) {
    out.emplace_back("the token cache", c.auth().token_cache_file());
  }
  auto credential = [&out](const CredentialSource& s, const char* what) {
    if (s.source_case() == CredentialSource::kFile) out.emplace_back(what, s.file());
  };
  credential(c.auth().universal_auth().client_id(), "a credential file");
  credential(c.auth().universal_auth().client_secret(), "a credential file");
  credential(c.auth().service_token(), "a credential file");
  credential(c.auth().access_token(), "a credential file");
  return out;
}

// The output must not be one of the inputs, by name or by identity (a hard
// link), and must be a regular file or missing.
absl::Status CheckOutput(const config::Deployment& d, Filesystem& fs) {
  const std::string& output = d.config.output_path();
  absl::StatusOr<FileInfo> stat = fs.Stat(output);
  if (!stat.ok()) return OutputError(stat.status());  // e.g. a path through a file
  const FileInfo& out = *stat;
  for (const auto& [what, path] : Inputs(d)) {
    bool same = path == output;
    if (!same && out.exists && !out.is_symlink) {
      absl::StatusOr<FileInfo> in = fs.Stat(path);
      same = in.ok() && in->exists && in->dev == out.dev && in->ino == out.ino;
    }
    if (same) {
      return ConfigError(absl::StrCat("output_path ", output, " is ", what,
                                      ": refusing to overwrite it (set another --output)"));
    }
  }
  if (out.is_symlink) {
    return OutputError(absl::FailedPreconditionError(absl::StrCat(
        "output ", output,
        " is a symbolic link: secretsync writes regular files only (remove the link)")));
  }
  if (out.exists && !out.is_regular) {
    return OutputError(absl::FailedPreconditionError(
        absl::StrCat("output ", output, " is not a regular file (a folder, FIFO or device)")));
  }
  return absl::OkStatus();
}

absl::StatusOr<tmpl::Template> LoadTemplate(const DeploymentConfig& c, Filesystem& fs) {
  absl::StatusOr<std::string> text = fs.ReadFile(c.template_path(), kMaxTemplateBytes, Symlinks::kRefuse);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("template ", c.template_path(), " does not exist"));
  }
  if (!text.ok()) {
    return WithExitCode(
        Annotate(text.status(), absl::StrCat("read template ", c.template_path())),
        text.status().code() == absl::StatusCode::kFailedPrecondition &&
                fs.Stat(c.template_path()).value_or(FileInfo()).is_regular
            ? kExitDataErr  // too large
            : kExitNoInput);
  }
  return tmpl::ParseTemplate(*text, c.template_path());
}

absl::StatusOr<std::optional<SecretValue>> ReadExisting(const std::string& path,
                                                        Filesystem& fs) {
  absl::StatusOr<std::string> text = fs.ReadFile(path, kMaxEnvBytes, Symlinks::kRefuse);
  if (absl::IsNotFound(text.status())) return std::optional<SecretValue>();
  if (!text.ok()) return OutputError(Annotate(text.status(), absl::StrCat("read ", path)));
  return std::optional<SecretValue>(SecretValue(std::move(*text)));
}

// How the output is written: the configured owner/group are required; an id
// not configured keeps the existing file's (a new file takes the folder's),
// given when this process may (root; docs/sync.md, "Who owns what").
absl::StatusOr<fileio::WriteOptions> OutputWriteOptions(const config::Deployment& d,
                                                        Filesystem& fs) {
  const std::string& output = d.config.output_path();
  fileio::WriteOptions wo;
  wo.mode = d.file_mode;
  wo.uid = d.owner;
  wo.gid = d.group;
  FileOwner kept = DeploymentFileOwner(d, fs);
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(output));
  if (info.exists) kept = FileOwner{info.uid, info.gid};
  if (!d.owner) wo.preferred_owner.uid = kept.uid;
  if (!d.group) wo.preferred_owner.gid = kept.gid;
  if (d.config.backup()) wo.backup_path = output + ".bak";
  wo.max_existing_bytes = kMaxEnvBytes;
  return wo;
}

// Brings an unchanged output back to the configured mode (and owner/group
// when configured). Returns whether anything had to change. A file this
// process may not fchown (another user's, in a folder this user owns) is
// replaced by a copy of the same content written the usual way instead.
absl::StatusOr<bool> EnforceModeAndOwner(const config::Deployment& d, bool dry_run,
                                         const SecretValue& content, Filesystem& fs) {
  const std::string& output = d.config.output_path();
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(output));
  if (!info.exists) return false;
  const bool wrong = info.mode != d.file_mode || (d.owner && info.uid != *d.owner) ||
                     (d.group && info.gid != *d.group);
  if (!wrong || dry_run) return wrong;
  absl::Status fixed = fs.SetOwnerAndMode(output, d.owner.value_or(static_cast<uid_t>(-1)),
                                          d.group.value_or(static_cast<gid_t>(-1)), d.file_mode);
  if (absl::IsPermissionDenied(fixed)) {
    SS_ASSIGN_OR_RETURN(fileio::WriteOptions wo, OutputWriteOptions(d, fs));
    fixed = fileio::WriteFileAtomically(fs, output, content, wo);
  }
  SS_RETURN_IF_ERROR(
      OutputError(Annotate(fixed, absl::StrCat("restore the mode and owner of ", output))));
  return true;
}

// A lock that cannot be taken because the folder refuses it is an output
// problem (73); one held by another run is temporary (75).
absl::StatusOr<fileio::FileLock> Lock(const config::Deployment& d, const SyncRequest& r,
                                      System& sys) {
  absl::StatusOr<fileio::FileLock> lock =
      fileio::AcquireLock(sys.fs, sys.clock, d.config.lock_file(), r.wait_lock,
                          DeploymentFileOwner(d, sys.fs));
  if (!lock.ok() && !absl::IsUnavailable(lock.status())) return OutputError(lock.status());
  return lock;
}

// What the offline checks produce and a sync then uses.
struct Prepared {
  config::Deployment deployment;  // with allowed links resolved
  tmpl::Template tmpl;
  std::unique_ptr<infisical::SecretStore> store;
};

// With follow_symlinks, a template or output that is a link is replaced by
// its target, but only when the link and the target belong to the same
// user (a less privileged user who owns the folder cannot point root's sync
// at root's files). Without it, links are left for the reads to refuse.
absl::StatusOr<std::string> FollowAllowedLink(const config::Deployment& d, const std::string& path,
                                              Filesystem& fs) {
  if (!d.config.follow_symlinks()) return path;
  absl::StatusOr<FileInfo> link = fs.Stat(path);
  if (!link.ok() || !link->is_symlink) return path;
  SS_ASSIGN_OR_RETURN(std::string target, fs.RealPath(path));
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(target));
  if (info.uid != link->uid) {
    return WithExitCode(
        absl::PermissionDeniedError(absl::StrCat(
            path, " is a symbolic link to a file of another user (uid ", info.uid,
            ", the link's is ", link->uid, "): refused even with follow_symlinks")),
        kExitNoPerm);
  }
  return target;
}

// Every offline check; builds the store without touching the network. With
// `use_token_cache` false the store may read the token cache but never writes
// or removes it.
absl::StatusOr<Prepared> Prepare(const config::Deployment& configured, bool use_token_cache,
                                 System& sys) {
  config::Deployment d = configured;
  DeploymentConfig& c = d.config;
  if (c.template_path().empty()) {
    return ConfigError(absl::StrCat("config ", d.config_path, ": template_path is not set"));
  }
  if (c.output_path().empty()) {
    return ConfigError(absl::StrCat("config ", d.config_path, ": output_path is not set"));
  }
  SS_ASSIGN_OR_RETURN(*c.mutable_template_path(), FollowAllowedLink(d, c.template_path(), sys.fs));
  SS_ASSIGN_OR_RETURN(*c.mutable_output_path(), FollowAllowedLink(d, c.output_path(), sys.fs));
  SS_RETURN_IF_ERROR(CheckOutput(d, sys.fs));
  SS_ASSIGN_OR_RETURN(tmpl::Template tmpl, LoadTemplate(c, sys.fs));
  DeploymentConfig store_config = c;
  if (!use_token_cache) store_config.mutable_auth()->set_token_cache_read_only(true);
  SS_ASSIGN_OR_RETURN(std::unique_ptr<infisical::SecretStore> store, sys.stores(store_config));
  return Prepared{std::move(d), std::move(tmpl), std::move(store)};
}

// The whole sync after Prepare; fills `report`. `configured` is the
// deployment as given (links not followed), which names the rotation state.
absl::Status Run(const SyncRequest& r, const config::Deployment& configured, Prepared prepared,
                 System& sys, SyncReport& report) {
  Logger log(sys.log);
  const config::Deployment& d = prepared.deployment;
  const DeploymentConfig& c = d.config;
  const tmpl::Template& tmpl = prepared.tmpl;
  infisical::SecretStore& store = *prepared.store;

  // Serialize with cron, the agent and people; then clear a crashed run's temp files.
  std::optional<fileio::FileLock> lock;
  if (!r.dry_run && !r.lock_held) {
    SS_ASSIGN_OR_RETURN(fileio::FileLock held, Lock(d, r, sys));
    lock.emplace(std::move(held));
  }
  if (!r.dry_run) {
    for (const std::string& path : {c.output_path(), c.output_path() + ".bak"}) {
      absl::Status cleaned = fileio::RemoveStaleTempFiles(sys.fs, path);
      if (!cleaned.ok()) log.Warn("sync.stale_temp_cleanup").Field("why", cleaned.message());
    }
  }

  const infisical::SecretScope scope = infisical::ScopeFromConfig(c);
  absl::StatusOr<std::vector<infisical::SecretRecord>> secrets = store.List(scope);
  SS_RETURN_IF_ERROR(
      Annotate(secrets.status(), absl::StrCat("fetch ", c.environment(), ":", c.secret_path())));
  report.set_secrets_fetched(static_cast<int32_t>(secrets->size()));
  const std::vector<std::string> referenced = tmpl.ReferencedNames();
  if (secrets->empty() && !referenced.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "environment ", c.environment(), " has no secrets at path ", scope.secret_path,
        " (the template references ", referenced.size(),
        "): check the environment slug and secret_path"));
  }
  if (!r.settling_rotation) {
    SS_RETURN_IF_ERROR(CheckNoRotationPending(configured, referenced, *secrets, sys.fs));
  }

  SS_ASSIGN_OR_RETURN(std::optional<SecretValue> existing, ReadExisting(c.output_path(), sys.fs));
  SS_ASSIGN_OR_RETURN(Plan plan, MakePlan(c, tmpl, *secrets, existing, log));
  if (plan.content.size() > kMaxEnvBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the rendered output is ", plan.content.size(),
                                                   " bytes, more than the limit of ",
                                                   kMaxEnvBytes));
  }
  // Content a health check rejected before is not applied again (unless forced).
  const bool verify = !r.dry_run && r.check_health && c.has_health_check();
  const std::string new_sha256 = Sha256Hex(plan.content);
  if (verify && !plan.unchanged && !r.force) {
    absl::Status held = HoldBackRejected(d, new_sha256, sys, report);
    if (!held.ok()) {
      if (existing.has_value()) report.set_content_sha256(Sha256Hex(*existing));
      // A command that failed after the rollback is still retried: it
      // restarts the application on the restored .env.
      if (r.run_command && c.on_change().command_size() > 0) {
        SS_ASSIGN_OR_RETURN(std::optional<v1::PendingOnChange> pending,
                            ReadPendingOnChange(d, sys.fs));
        if (pending.has_value()) {
          report.set_command_retried(true);
          SS_RETURN_IF_ERROR(RunOnChange(d, {}, sys, *report.mutable_command()));
        }
      }
      return held;
    }
  }
  for (const auto& n : plan.added) report.add_added(n);
  for (const auto& n : plan.changed) report.add_changed(n);
  for (const auto& n : plan.removed) report.add_removed(n);
  report.set_unparsable_lines(plan.unparsable_lines);

  if (plan.unchanged) {
    SS_ASSIGN_OR_RETURN(bool fixed, EnforceModeAndOwner(d, r.dry_run, plan.content, sys.fs));
    report.set_mode_fixed(fixed);
    if (fixed && !r.dry_run) {
      log.Info("sync.mode_restored").Field("path", c.output_path()).Field(
          "mode", absl::StrCat(absl::Hex(d.file_mode)));
    }
  } else if (!r.dry_run) {
    SS_ASSIGN_OR_RETURN(fileio::WriteOptions wo, OutputWriteOptions(d, sys.fs));
    SS_RETURN_IF_ERROR(OutputError(Annotate(
        fileio::WriteFileAtomically(sys.fs, c.output_path(), plan.content, wo),
        absl::StrCat("write ", c.output_path()))));
    report.set_written(true);
    log.Info("sync.written")
        .Field("path", c.output_path())
        .Field("added", absl::StrJoin(plan.added, ","))
        .Field("changed", absl::StrJoin(plan.changed, ","))
        .Field("removed", absl::StrJoin(plan.removed, ","));
  }
  report.set_content_sha256(new_sha256);

  if (r.dry_run || !r.run_command || c.on_change().command_size() == 0) return absl::OkStatus();
  SS_ASSIGN_OR_RETURN(std::optional<v1::PendingOnChange> pending,
                      ReadPendingOnChange(d, sys.fs));
  if (!report.written() && !pending.has_value()) return absl::OkStatus();
  report.set_command_retried(pending.has_value());
  OnChangeRequest request;
  request.changed = plan.added;
  request.changed.insert(request.changed.end(), plan.changed.begin(), plan.changed.end());
  request.changed.insert(request.changed.end(), plan.removed.begin(), plan.removed.end());
  if (report.written()) request.services = plan.services;
  SS_RETURN_IF_ERROR(RunOnChange(d, request, sys, *report.mutable_command()));
  if (!verify) return absl::OkStatus();
  RollbackPlan rollback;
  if (report.written() && existing.has_value()) rollback.previous = &*existing;
  rollback.rejected_sha256 = new_sha256;
  rollback.restore = [&d, &sys](const SecretValue& previous) -> absl::Status {
    SS_ASSIGN_OR_RETURN(fileio::WriteOptions wo, OutputWriteOptions(d, sys.fs));
    wo.backup_path.clear();  // the backup keeps the content before the change
    return fileio::WriteFileAtomically(sys.fs, d.config.output_path(), previous, wo);
  };
  rollback.on_change = std::move(request);
  return VerifyChange(d, rollback, sys, report);
}

}  // namespace

absl::Status CheckDeployment(const config::Deployment& d, System& sys) {
  return Prepare(d, /*use_token_cache=*/false, sys).status();
}

SyncReport SyncDeployment(const config::Deployment& d, const SyncRequest& request, System& sys) {
  const absl::Time start = sys.clock.TimeNow();
  SyncReport report;
  report.set_output_path(d.config.output_path());
  report.set_dry_run(request.dry_run);
  // A dry run writes nothing, not even the token cache (it may read it).
  absl::StatusOr<Prepared> prepared = Prepare(d, /*use_token_cache=*/!request.dry_run, sys);
  absl::Status status = prepared.status();
  if (status.ok()) status = Run(request, d, std::move(*prepared), sys, report);
  report.set_duration_ms(absl::ToInt64Milliseconds(sys.clock.TimeNow() - start));
  report.set_exit_code(ExitCodeFromStatus(status));
  if (!status.ok()) report.set_error(std::string(status.message()));
  return report;
}

}  // namespace sync
}  // namespace secretsync

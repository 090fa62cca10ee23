// rotate command: pick the secrets, rotate each (PostgreSQL passwords through
// the step machine), sync once in-process under the lock, print the report.
#include "lib/rotate/rotate_command.h"

#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/exit_codes.h"
#include "lib/base/failpoint.h"
#include "lib/base/log.h"
#include "lib/base/status_macros.h"
#include "lib/config/deployment.h"
#include "lib/fileio/file_lock.h"
#include "lib/gen/generator.h"
#include "lib/postgres/scram_verifier.h"
#include "lib/rotate/alternating_rotation.h"
#include "lib/rotate/password_rotation.h"
#include "lib/rotate/postgres_target.h"
#include "lib/rotate/rotate_health.h"
#include "lib/rotate/rotate_inputs.h"
#include "lib/rotate/rotate_report.h"
#include "lib/rotate/settle.h"
#include "lib/rotate/state_folder.h"
#include "lib/rotate/store_side.h"
#include "lib/spec/validators.h"
#include "lib/sync/pending_rotation.h"
#include "lib/sync/sync_deployment.h"
#include "proto/rotation.pb.h"

namespace secretsync {
namespace rotate {

const char kRotateUsage[] =
    "rotate secrets: store a new value in Infisical, apply it where it takes effect,\n"
    "sync the .env in-process and run the on-change command.\n"
    "\n"
    "  rotate --config=F --secret=SECRET_KEY           # generated per its spec\n"
    "  rotate --config=F --secret=POSTGRES_PASSWORD    # also ALTER ROLE, crash-safe\n"
    "  rotate --config=F --secret=EMAIL_URL --value-file=-   # new value on stdin\n"
    "  rotate --config=F --all | --due                 # every / every overdue secret,\n"
    "                                                  # after settling one left pending\n"
    "  rotate --config=F --resume                      # finish or undo an interrupted one\n"
    "  rotate --config=F ... --dry-run | --json\n"
    "\n"
    "A PostgreSQL password (a spec with rotation.postgres_role) is rotated in steps\n"
    "each safe to repeat: journal, <NAME>__PENDING in Infisical, ALTER ROLE with a\n"
    "client-side SCRAM verifier, a fresh login, promote, sync, clear the journal.\n"
    "If it stops, run rotate --resume: it probes which password logs in and rolls\n"
    "forward or back. With rotation { strategy: ALTERNATING_USERS }, the role not\n"
    "in use gets the new password and the user and password secrets switch\n"
    "together, so logins with the old .env keep working; the template must render\n"
    "rotation.user_secret. While a rotation is pending, sync keeps the .env (exit\n"
    "80). With a health_check in the config, a PostgreSQL rotation checks the\n"
    "application after its restart; when it is unhealthy, the previous password\n"
    "goes back to Infisical, the role (or user secret) and the .env, and rotate\n"
    "exits 81 (ROLLBACK_NEVER: keeps it, exits 79); --json names the failed check.\n"
    "Values never appear in output, logs or argv; --value-file (externally\n"
    "issued secrets only) reads a 0600 file of the running user or stdin, never an\n"
    "argument. See docs/rotate.md.\n";

namespace {

using v1::RotateReport;

enum class Kind { kPostgres, kGenerated, kExternal };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kPostgres:
      return "postgres_password";
    case Kind::kGenerated:
      return "generated";
    case Kind::kExternal:
      return "external";
  }
  return "";
}

Kind KindOf(const v1::SecretSpec& spec) {
  if (!spec.rotation().postgres_role().empty()) return Kind::kPostgres;
  if (spec.generator().kind() != v1::Generator::KIND_UNSPECIFIED) return Kind::kGenerated;
  return Kind::kExternal;
}

// The outcome a secret whose rotation returned `s` (not OK) reports.
const char* FailedOutcome(const absl::Status& s, const char* on_change_failed) {
  switch (ExitCodeFromStatus(s)) {
    case kExitOnChangeFailed:
      return on_change_failed;  // rotated and synced, only the command failed
    case kExitRolledBack:
      return "rolled_back_unhealthy";
    default:
      return "failed";
  }
}

std::string OptionsError(const RotateOptions& o) {
  const int modes = (o.secret.empty() ? 0 : 1) + (o.all ? 1 : 0) + (o.due ? 1 : 0) +
                    (o.resume ? 1 : 0);
  if (o.config_path.empty()) return "--config is required";
  if (modes != 1) return "give exactly one of --secret NAME, --all, --due, --resume";
  if (!o.value_file.empty() && o.secret.empty()) return "--value-file needs --secret";
  return "";
}

class Runner {
 public:
  Runner(const RotateOptions& o, System& sys, std::istream& in, std::ostream& out,
         std::ostream& err)
      : o_(o), sys_(sys), in_(in), out_(out), err_(err), log_(sys.log) {}

  int Run();

 private:
  absl::Status Rotate();
  absl::Status Load();
  absl::StatusOr<std::vector<const v1::SecretSpec*>> Choose();
  absl::StatusOr<std::optional<std::string>> PendingReason(const v1::SecretSpec& s);
  absl::Status SettlePending();
  absl::Status RefuseWhilePending();
  absl::Status MakeTarget(const v1::SecretSpec& s);
  absl::StatusOr<Outcome> Resume(const v1::SecretSpec& s);
  absl::StatusOr<std::string> RotateOne(const v1::SecretSpec& s, bool* need_sync);
  absl::Status Sync();
  PasswordRotation MakeRotation(const std::string& name);
  AlternatingRotation MakeAlternating(const std::string& name);
  std::vector<const v1::SecretSpec*> PostgresSpecs() const {
    std::vector<const v1::SecretSpec*> out;
    for (const v1::SecretSpec& s : d_->config.secrets()) {
      if (KindOf(s) == Kind::kPostgres) out.push_back(&s);
    }
    return out;
  }
  bool Alternating() const {
    return d_->config.rotation().strategy() == v1::ALTERNATING_USERS;
  }
  void Add(const std::string& name, Kind kind, const std::string& outcome,
           const absl::Status& error = absl::OkStatus()) {
    RotateReport::Secret* s = report_.add_secrets();
    s->set_name(name);
    s->set_kind(KindName(kind));
    s->set_outcome(outcome);
    s->set_error(std::string(error.message()));  // names only, as every message
  }

  const RotateOptions& o_;
  System& sys_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  Logger log_;
  std::optional<config::Deployment> d_;
  std::unique_ptr<infisical::SecretStore> store_;
  infisical::SecretScope scope_;
  // Per PostgreSQL secret: its store side and its target (single user) or
  // role pair and user secret (alternating users), built on first use.
  std::map<std::string, std::unique_ptr<StoreSide>> sides_;
  std::map<std::string, std::unique_ptr<PasswordTarget>> targets_;
  std::map<std::string, std::unique_ptr<RolePairTarget>> pairs_;
  std::map<std::string, std::unique_ptr<StoreSide>> user_sides_;
  // Settled before rotating (--due, --all): in dry runs, those that would be.
  std::map<std::string, Outcome> settled_;
  RotateReport report_;
  v1::SyncReport last_sync_;
  HealthGate gate_;  // fills report_.health
};

absl::Status Runner::Sync() {
  sync::SyncRequest request;
  request.lock_held = true;
  request.settling_rotation = true;  // rotate itself settles what is pending
  request.check_health = false;      // rotate checks once, after its restart
  last_sync_ = sync::SyncDeployment(*d_, request, sys_);
  // The .env holds the new values also when only the on-change command failed.
  report_.set_synced(last_sync_.exit_code() == kExitOk ||
                     last_sync_.exit_code() == kExitOnChangeFailed);
  if (last_sync_.exit_code() == kExitOk) return absl::OkStatus();
  return WithExitCode(absl::UnknownError(absl::StrCat("sync: ", last_sync_.error())),
                      last_sync_.exit_code());
}

PasswordRotation Runner::MakeRotation(const std::string& name) {
  PasswordRotation r{sys_.fs,
                          sys_.clock,
                          sys_.log,
                          config::RotationJournalPath(*d_, name),
                          geteuid(),
                          *sides_[name],
                          *targets_[name],
                          [this] { return Sync(); },
                          FailpointFromEnvironment(sys_.env)};
  r.health = gate_;
  return r;
}

AlternatingRotation Runner::MakeAlternating(const std::string& name) {
  AlternatingRotation r{sys_.fs,
                             sys_.clock,
                             sys_.log,
                             config::RotationJournalPath(*d_, name),
                             geteuid(),
                             *sides_[name],
                             *user_sides_[name],
                             *pairs_[name],
                             [this] { return Sync(); },
                             FailpointFromEnvironment(sys_.env)};
  r.health = gate_;
  return r;
}

absl::Status Runner::MakeTarget(const v1::SecretSpec& s) {
  const std::string& name = s.name();
  if (sides_.count(name)) return absl::OkStatus();
  const std::string& role = s.rotation().postgres_role();
  if (Alternating()) {
    std::string alternate = d_->config.rotation().alternate_role();
    if (alternate.empty()) alternate = absl::StrCat(role, "_b");
    absl::StatusOr<std::unique_ptr<RolePairTarget>> pair =
        MakePostgresRolePair(d_->config, role, alternate, sys_);
    if (!pair.ok()) return WithExitCode(pair.status(), kExitConfig);
    pairs_[name] = std::move(*pair);
    user_sides_[name] =
        std::make_unique<StoreSide>(*store_, scope_, d_->config.rotation().user_secret());
  } else {
    SS_ASSIGN_OR_RETURN(targets_[name], MakePostgresTarget(d_->config, role, sys_));
  }
  sides_[name] = std::make_unique<StoreSide>(*store_, scope_, name);
  return absl::OkStatus();
}

absl::StatusOr<Outcome> Runner::Resume(const v1::SecretSpec& s) {
  SS_RETURN_IF_ERROR(MakeTarget(s));
  if (Alternating()) {
    AlternatingRotation r = MakeAlternating(s.name());
    return ResumeAlternating(r);
  }
  PasswordRotation r = MakeRotation(s.name());
  return ResumePassword(r);
}

absl::StatusOr<std::optional<std::string>> Runner::PendingReason(const v1::SecretSpec& s) {
  SS_ASSIGN_OR_RETURN(std::vector<infisical::SecretRecord> records, store_->List(scope_));
  SS_ASSIGN_OR_RETURN(std::optional<std::string> why,
                      sync::PendingRotationReason(*d_, s.name(), records, sys_.fs));
  if (why.has_value() || !Alternating()) return why;
  return sync::PendingRotationReason(*d_, d_->config.rotation().user_secret(), records, sys_.fs);
}

// --due and --all run unattended (a timer): a rotation a crash left pending
// is settled first (every step is safe to repeat), not refused on every run.
absl::Status Runner::SettlePending() {
  for (const v1::SecretSpec* s : PostgresSpecs()) {
    SS_ASSIGN_OR_RETURN(std::optional<std::string> why, PendingReason(*s));
    if (!why.has_value()) continue;
    if (o_.dry_run) {
      Add(s->name(), Kind::kPostgres, "would_resume");
      settled_[s->name()] = Outcome::kNothingPending;
      continue;
    }
    log_.Info("rotate.resume_pending").Field("secret", s->name());
    absl::StatusOr<Outcome> outcome = Resume(*s);
    if (!outcome.ok()) {
      Add(s->name(), Kind::kPostgres, FailedOutcome(outcome.status(), "settled"),
          outcome.status());
      return outcome.status();
    }
    Add(s->name(), Kind::kPostgres, OutcomeName(*outcome));
    settled_[s->name()] = *outcome;
  }
  return absl::OkStatus();
}

// Nothing starts while any PostgreSQL rotation is unfinished: its sync would
// be refused, and a second rotation would lose the first one's state.
absl::Status Runner::RefuseWhilePending() {
  for (const v1::SecretSpec* s : PostgresSpecs()) {
    if (settled_.count(s->name())) continue;
    SS_ASSIGN_OR_RETURN(std::optional<std::string> why, PendingReason(*s));
    if (why.has_value()) return PendingError(s->name(), *why);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<const v1::SecretSpec*>> Runner::Choose() {
  std::vector<const v1::SecretSpec*> chosen;
  const auto& specs = d_->config.secrets();
  if (!o_.secret.empty()) {
    for (const v1::SecretSpec& s : specs) {
      if (s.name() == o_.secret) chosen.push_back(&s);
    }
    if (chosen.empty()) {
      return WithExitCode(absl::NotFoundError(absl::StrCat("secret ", o_.secret,
                                                           " is not in the config's secrets")),
                          kExitUsage);
    }
    const Kind kind = KindOf(*chosen[0]);
    if (kind == Kind::kExternal && o_.value_file.empty()) {
      return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                              "secret ", o_.secret,
                              " has no generator: give its new value with --value-file")),
                          kExitUsage);
    }
    if (kind != Kind::kExternal && !o_.value_file.empty()) {
      return WithExitCode(
          absl::InvalidArgumentError(absl::StrCat(
              "secret ", o_.secret, " is ",
              kind == Kind::kPostgres ? "a postgres password" : "generated by its spec",
              ": rotate generates its value (no --value-file)")),
          kExitUsage);
    }
    return chosen;
  }
  std::map<std::string, absl::Time> updated;
  if (o_.due) {
    SS_ASSIGN_OR_RETURN(std::vector<infisical::SecretRecord> records, store_->List(scope_));
    for (const infisical::SecretRecord& r : records) updated[r.name] = r.updated_at;
  }
  const absl::Time now = sys_.clock.TimeNow();
  for (const v1::SecretSpec& s : specs) {
    const Kind kind = KindOf(s);
    if (o_.resume) {
      if (kind == Kind::kPostgres) chosen.push_back(&s);
      continue;
    }
    if (kind == Kind::kExternal) {
      if (o_.all) Add(s.name(), kind, "skipped");
      continue;
    }
    // Just finished by SettlePending: its new value is in force already.
    auto settled = settled_.find(s.name());
    if (settled != settled_.end() && settled->second == Outcome::kRolledForward) continue;
    if (o_.due) {
      const uint32_t days = s.rotation().max_age_days();
      auto it = updated.find(s.name());
      if (days == 0 || it == updated.end()) continue;
      if (it->second == absl::InfinitePast()) {
        log_.Warn("rotate.age_unknown").Field("secret", s.name());
        continue;
      }
      if (now - it->second <= absl::Hours(24) * days) continue;
    }
    chosen.push_back(&s);
  }
  // Generated secrets first, so one sync (the PostgreSQL rotation's, or the
  // final one) carries them all and the on-change command runs once.
  std::stable_partition(chosen.begin(), chosen.end(),
                        [](const v1::SecretSpec* s) { return KindOf(*s) != Kind::kPostgres; });
  return chosen;
}

absl::Status Runner::Load() {
  absl::StatusOr<config::Deployment> d =
      config::LoadDeployment(o_.config_path, o_.overrides, sys_.fs, sys_.env, sys_.users);
  if (!d.ok()) {
    return absl::IsInvalidArgument(d.status()) ? WithExitCode(d.status(), kExitUsage)
                                               : d.status();
  }
  d_.emplace(std::move(*d));
  if (Alternating() && d_->config.rotation().user_secret().empty()) {
    return WithExitCode(absl::FailedPreconditionError(
                            "config: rotation.strategy ALTERNATING_USERS needs "
                            "rotation.user_secret (the secret naming the role in use)"),
                        kExitConfig);
  }
  SS_RETURN_IF_ERROR(sync::CheckDeployment(*d_, sys_));
  if (Alternating()) SS_RETURN_IF_ERROR(CheckTemplateRendersUser(*d_, sys_.fs));
  v1::DeploymentConfig store_config = d_->config;
  // A dry run may read the token cache but never writes it.
  if (o_.dry_run) store_config.mutable_auth()->set_token_cache_read_only(true);
  SS_ASSIGN_OR_RETURN(store_, sys_.stores(store_config));
  scope_ = infisical::ScopeFromConfig(d_->config);
  gate_ = DeploymentHealthGate(*d_, sys_, report_.mutable_health());
  return absl::OkStatus();
}

// One chosen secret; returns its outcome's name.
absl::StatusOr<std::string> Runner::RotateOne(const v1::SecretSpec& s, bool* need_sync) {
  const Kind kind = KindOf(s);
  if (o_.resume) {
    SS_ASSIGN_OR_RETURN(Outcome outcome, Resume(s));
    return std::string(OutcomeName(outcome));
  }
  SecretValue next;
  if (kind == Kind::kExternal) {
    SS_ASSIGN_OR_RETURN(next, ReadValueFile(o_.value_file, sys_.env, in_));
  } else {
    SS_ASSIGN_OR_RETURN(next, gen::Generate(s.generator(), sys_.random));
  }
  SS_RETURN_IF_ERROR(spec::ValidateSecret(s, next));
  if (kind != Kind::kPostgres) {
    StoreSide plain(*store_, scope_, s.name());
    SS_RETURN_IF_ERROR(plain.Promote(next));
    log_.Info("rotate.stored").Field("secret", s.name());
    *need_sync = true;
    return std::string("rotated");
  }
  SS_RETURN_IF_ERROR(Annotate(postgres::ValidateScramPassword(next),
                              absl::StrCat("secret ", s.name(),
                                           ": its generator must give ASCII (base64, hex)")));
  SS_RETURN_IF_ERROR(MakeTarget(s));
  Outcome outcome;
  if (Alternating()) {
    AlternatingRotation r = MakeAlternating(s.name());
    SS_ASSIGN_OR_RETURN(outcome, RotateAlternating(r, next));
  } else {
    PasswordRotation r = MakeRotation(s.name());
    SS_ASSIGN_OR_RETURN(outcome, RotatePassword(r, next));
  }
  *need_sync = false;  // its sync carried every earlier change
  return std::string(OutcomeName(outcome));
}

absl::Status Runner::Rotate() {
  SS_RETURN_IF_ERROR(Load());
  std::optional<fileio::FileLock> lock;
  if (!o_.dry_run) {
    SS_ASSIGN_OR_RETURN(fileio::FileLock held, fileio::AcquireLock(sys_.fs, sys_.clock,
                                                                   d_->config.lock_file(),
                                                                   o_.wait_lock));
    lock.emplace(std::move(held));
    std::vector<std::string> names;
    for (const v1::SecretSpec* s : PostgresSpecs()) names.push_back(s->name());
    SS_RETURN_IF_ERROR(OpenStateFolder(sys_.fs, *d_, names, sys_.log));
  }
  if (o_.due || o_.all) SS_RETURN_IF_ERROR(SettlePending());
  SS_ASSIGN_OR_RETURN(std::vector<const v1::SecretSpec*> chosen, Choose());
  if (!o_.resume) SS_RETURN_IF_ERROR(RefuseWhilePending());
  if (o_.dry_run) {
    for (const v1::SecretSpec* s : chosen) {
      Add(s->name(), KindOf(*s), o_.resume ? "would_resume" : "would_rotate");
    }
    return absl::OkStatus();
  }

  bool need_sync = false;
  for (const v1::SecretSpec* s : chosen) {
    absl::StatusOr<std::string> outcome = RotateOne(*s, &need_sync);
    if (!outcome.ok()) {
      Add(s->name(), KindOf(*s), FailedOutcome(outcome.status(), "rotated"), outcome.status());
      return outcome.status();
    }
    Add(s->name(), KindOf(*s), *outcome);
  }
  if (need_sync) SS_RETURN_IF_ERROR(Sync());
  return absl::OkStatus();
}

int Runner::Run() {
  const absl::Time start = sys_.clock.TimeNow();
  report_.set_dry_run(o_.dry_run);
  absl::Status s;
  const std::string bad = OptionsError(o_);
  if (!bad.empty()) {
    s = WithExitCode(absl::InvalidArgumentError(bad), kExitUsage);
  } else {
    s = Rotate();
  }
  const int code = ExitCodeFromStatus(s);
  report_.set_exit_code(code);
  report_.set_duration_ms(absl::ToInt64Milliseconds(sys_.clock.TimeNow() - start));
  if (!s.ok()) {
    report_.set_error(std::string(s.message()));
    err_ << "rotate: " << s.message() << "\n";
    log_.Error("rotate.failed").Field("code", code).Field("ms", report_.duration_ms());
  } else {
    log_.Info("rotate.done").Field("ms", report_.duration_ms());
  }
  PrintRotateReport(report_, last_sync_, o_.json, s.ok(), out_);
  return code;
}

}  // namespace

int RunRotate(const RotateOptions& opts, System& sys, std::istream& in, std::ostream& out,
              std::ostream& err) {
  Runner runner(opts, sys, in, out, err);
  return runner.Run();
}

}  // namespace rotate
}  // namespace secretsync

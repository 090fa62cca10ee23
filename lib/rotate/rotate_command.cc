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
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
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
#include "lib/rotate/store_side.h"
#include "lib/spec/validators.h"
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
    "  rotate --config=F --all | --due                 # every / every overdue secret\n"
    "  rotate --config=F --resume                      # finish or undo an interrupted one\n"
    "  rotate --config=F ... --dry-run | --json\n"
    "\n"
    "A PostgreSQL password (a spec with rotation.postgres_role) is rotated in steps\n"
    "each safe to repeat: journal, <NAME>__PENDING in Infisical, ALTER ROLE with a\n"
    "client-side SCRAM verifier, a fresh login, promote, sync, clear the journal.\n"
    "If it stops, run rotate --resume: it probes which password logs in and rolls\n"
    "forward or back. With rotation { strategy: ALTERNATING_USERS }, the role not\n"
    "in use gets the new password and the user and password secrets switch\n"
    "together, so logins with the old .env keep working. Values never appear in\n"
    "output, logs or argv; --value-file reads a 0600 file or stdin, never an\n"
    "argument. See docs/rotate.md.\n";

namespace {

using v1::RotateReport;

constexpr size_t kMaxValueBytes = 64 * 1024;

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

std::string Dirname(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string StateDir(const config::Deployment& d) {
  const std::string& configured = d.config.rotation().state_dir();
  if (configured.empty()) return Dirname(d.config.output_path()) + "/.secretsync-rotate";
  if (configured[0] == '/') return configured;
  return absl::StrCat(Dirname(d.config_path), "/", configured);
}

absl::Status EnsureStateDir(Filesystem& fs, const std::string& dir) {
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(dir));
  if (!info.exists) {
    absl::Status made = fs.MakeDir(dir, 0700);
    if (!made.ok() && !absl::IsAlreadyExists(made)) {
      return Annotate(made, "rotation state folder");
    }
    return absl::OkStatus();
  }
  if (!info.is_dir || info.is_symlink) {
    return absl::FailedPreconditionError(
        absl::StrCat("rotation state folder ", dir, ": not a folder"));
  }
  if ((info.mode & 0022) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rotation state folder ", dir, ": writable by group or others (chmod 700 ", dir, ")"));
  }
  return absl::OkStatus();
}

// The new value of an externally issued secret: stdin or a 0600 file, one
// trailing newline removed.
absl::StatusOr<SecretValue> ReadValue(const std::string& path, Filesystem& fs, std::istream& in) {
  std::string bytes;
  if (path == "-") {
    char buf[4096];
    while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
      bytes.append(buf, static_cast<size_t>(in.gcount()));
      if (bytes.size() > kMaxValueBytes) {
        return absl::InvalidArgumentError("--value-file -: more than 64 KiB on stdin");
      }
    }
  } else {
    SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
    if (!info.exists) return absl::NotFoundError(absl::StrCat("--value-file ", path, ": missing"));
    if ((info.mode & 0077) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--value-file ", path, ": readable by group or others (chmod 600 ", path, ")"));
    }
    SS_ASSIGN_OR_RETURN(bytes, fs.ReadFile(path, kMaxValueBytes, Symlinks::kRefuse));
  }
  if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  SecretValue value(std::move(bytes));
  if (value.empty()) return absl::InvalidArgumentError("--value-file: the new value is empty");
  return value;
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
  absl::StatusOr<std::vector<const v1::SecretSpec*>> Choose();
  absl::Status Sync();
  PasswordRotation MakeRotation(StoreSide& side, PasswordTarget& target, const std::string& name);
  AlternatingRotation MakeAlternating(StoreSide& side, const std::string& name);
  bool Alternating() const {
    return d_->config.rotation().strategy() == v1::ALTERNATING_USERS;
  }
  void Add(const std::string& name, Kind kind, const std::string& outcome) {
    RotateReport::Secret* s = report_.add_secrets();
    s->set_name(name);
    s->set_kind(KindName(kind));
    s->set_outcome(outcome);
  }

  const RotateOptions& o_;
  System& sys_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  Logger log_;
  std::optional<config::Deployment> d_;
  std::unique_ptr<infisical::SecretStore> store_;
  // Alternating users: per PostgreSQL secret, its role pair and user secret.
  std::map<std::string, std::unique_ptr<RolePairTarget>> pairs_;
  std::map<std::string, std::unique_ptr<StoreSide>> user_sides_;
  infisical::SecretScope scope_;
  std::string state_dir_;
  RotateReport report_;
  v1::SyncReport last_sync_;
};

absl::Status Runner::Sync() {
  sync::SyncRequest request;
  request.lock_held = true;
  last_sync_ = sync::SyncDeployment(*d_, request, sys_);
  report_.set_synced(true);
  if (last_sync_.exit_code() == kExitOk) return absl::OkStatus();
  return WithExitCode(absl::UnknownError(absl::StrCat("sync: ", last_sync_.error())),
                      last_sync_.exit_code());
}

PasswordRotation Runner::MakeRotation(StoreSide& side, PasswordTarget& target,
                                      const std::string& name) {
  return PasswordRotation{sys_.fs,
                          sys_.clock,
                          sys_.log,
                          absl::StrCat(state_dir_, "/", name, ".journal"),
                          geteuid(),
                          side,
                          target,
                          [this] { return Sync(); },
                          FailpointFromEnvironment(sys_.env)};
}

AlternatingRotation Runner::MakeAlternating(StoreSide& side, const std::string& name) {
  return AlternatingRotation{sys_.fs,
                             sys_.clock,
                             sys_.log,
                             absl::StrCat(state_dir_, "/", name, ".journal"),
                             geteuid(),
                             side,
                             *user_sides_[name],
                             *pairs_[name],
                             [this] { return Sync(); },
                             FailpointFromEnvironment(sys_.env)};
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
    if (kind == Kind::kPostgres && !o_.value_file.empty()) {
      return WithExitCode(absl::InvalidArgumentError(absl::StrCat(
                              "secret ", o_.secret,
                              " is a postgres password: rotate generates it (no --value-file)")),
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

absl::Status Runner::Rotate() {
  {
    absl::StatusOr<config::Deployment> d =
        config::LoadDeployment(o_.config_path, o_.overrides, sys_.fs, sys_.env, sys_.users);
    if (!d.ok()) {
      return absl::IsInvalidArgument(d.status()) ? WithExitCode(d.status(), kExitUsage)
                                                 : d.status();
    }
    d_.emplace(std::move(*d));
  }
  if (Alternating() && d_->config.rotation().user_secret().empty()) {
    return WithExitCode(absl::FailedPreconditionError(
                            "config: rotation.strategy ALTERNATING_USERS needs "
                            "rotation.user_secret (the secret naming the role in use)"),
                        kExitConfig);
  }
  SS_RETURN_IF_ERROR(sync::CheckDeployment(*d_, sys_));
  SS_ASSIGN_OR_RETURN(store_, sys_.stores(d_->config));
  scope_ = infisical::ScopeFromConfig(d_->config);
  state_dir_ = StateDir(*d_);

  std::optional<fileio::FileLock> lock;
  if (!o_.dry_run) {
    SS_ASSIGN_OR_RETURN(fileio::FileLock held, fileio::AcquireLock(sys_.fs, sys_.clock,
                                                                   d_->config.lock_file(),
                                                                   o_.wait_lock));
    lock.emplace(std::move(held));
    SS_RETURN_IF_ERROR(EnsureStateDir(sys_.fs, state_dir_));
  }
  SS_ASSIGN_OR_RETURN(std::vector<const v1::SecretSpec*> chosen, Choose());

  // Refuse to start anything while any PostgreSQL rotation is unfinished.
  std::map<std::string, std::unique_ptr<PasswordTarget>> targets;
  std::map<std::string, std::unique_ptr<StoreSide>> sides;
  for (const v1::SecretSpec* s : chosen) {
    if (KindOf(*s) != Kind::kPostgres) continue;
    sides[s->name()] = std::make_unique<StoreSide>(*store_, scope_, s->name());
    if (Alternating()) {
      const std::string& role = s->rotation().postgres_role();
      std::string alternate = d_->config.rotation().alternate_role();
      if (alternate.empty()) alternate = absl::StrCat(role, "_b");
      absl::StatusOr<std::unique_ptr<RolePairTarget>> pair =
          MakePostgresRolePair(d_->config, role, alternate, sys_);
      if (!pair.ok()) return WithExitCode(pair.status(), kExitConfig);
      pairs_[s->name()] = std::move(*pair);
      user_sides_[s->name()] =
          std::make_unique<StoreSide>(*store_, scope_, d_->config.rotation().user_secret());
      if (o_.resume) continue;
      AlternatingRotation r = MakeAlternating(*sides[s->name()], s->name());
      SS_ASSIGN_OR_RETURN(bool pending, AlternatingPending(r));
      if (pending) {
        return WithExitCode(absl::FailedPreconditionError(absl::StrCat(
                                "rotation of ", s->name(), " is pending: run rotate --resume")),
                            kExitRotationPending);
      }
      continue;
    }
    SS_ASSIGN_OR_RETURN(targets[s->name()],
                        MakePostgresTarget(d_->config, s->rotation().postgres_role(), sys_));
    if (o_.resume) continue;
    PasswordRotation r = MakeRotation(*sides[s->name()], *targets[s->name()], s->name());
    SS_ASSIGN_OR_RETURN(bool pending, RotationPending(r));
    if (pending) {
      return WithExitCode(absl::FailedPreconditionError(absl::StrCat(
                              "rotation of ", s->name(), " is pending: run rotate --resume")),
                          kExitRotationPending);
    }
  }
  if (o_.dry_run) {
    for (const v1::SecretSpec* s : chosen) {
      Add(s->name(), KindOf(*s), o_.resume ? "would_resume" : "would_rotate");
    }
    return absl::OkStatus();
  }

  bool need_sync = false;
  for (const v1::SecretSpec* s : chosen) {
    const Kind kind = KindOf(*s);
    StoreSide* side = sides.count(s->name()) ? sides[s->name()].get() : nullptr;
    if (o_.resume && Alternating()) {
      AlternatingRotation r = MakeAlternating(*side, s->name());
      SS_ASSIGN_OR_RETURN(Outcome outcome, ResumeAlternating(r));
      Add(s->name(), kind, OutcomeName(outcome));
      continue;
    }
    if (o_.resume) {
      PasswordRotation r = MakeRotation(*side, *targets[s->name()], s->name());
      SS_ASSIGN_OR_RETURN(Outcome outcome, ResumePassword(r));
      Add(s->name(), kind, OutcomeName(outcome));
      continue;
    }
    SecretValue next;
    if (kind == Kind::kExternal) {
      SS_ASSIGN_OR_RETURN(next, ReadValue(o_.value_file, sys_.fs, in_));
    } else {
      SS_ASSIGN_OR_RETURN(next, gen::Generate(s->generator(), sys_.random));
    }
    SS_RETURN_IF_ERROR(spec::ValidateSecret(*s, next));
    if (kind == Kind::kPostgres) {
      SS_RETURN_IF_ERROR(Annotate(postgres::ValidateScramPassword(next),
                                  absl::StrCat("secret ", s->name(),
                                               ": its generator must give ASCII (base64, hex)")));
      Outcome outcome;
      if (Alternating()) {
        AlternatingRotation r = MakeAlternating(*side, s->name());
        SS_ASSIGN_OR_RETURN(outcome, RotateAlternating(r, next));
      } else {
        PasswordRotation r = MakeRotation(*side, *targets[s->name()], s->name());
        SS_ASSIGN_OR_RETURN(outcome, RotatePassword(r, next));
      }
      Add(s->name(), kind, OutcomeName(outcome));
      need_sync = false;  // its sync carried every earlier change
      continue;
    }
    StoreSide plain(*store_, scope_, s->name());
    SS_RETURN_IF_ERROR(plain.Promote(next));
    log_.Info("rotate.stored").Field("secret", s->name());
    Add(s->name(), kind, "rotated");
    need_sync = true;
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
  if (o_.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions jo;
    jo.always_print_primitive_fields = true;
    jo.preserve_proto_field_names = true;
    if (google::protobuf::util::MessageToJsonString(report_, &json, jo).ok()) out_ << json << "\n";
    return code;
  }
  for (const RotateReport::Secret& r : report_.secrets()) {
    out_ << "rotate: " << r.name() << " (" << r.kind() << "): " << r.outcome() << "\n";
  }
  if (report_.synced()) {
    out_ << "rotate: synced " << last_sync_.output_path() << ": changed "
         << (last_sync_.changed().empty() ? "-" : absl::StrJoin(last_sync_.changed(), ","))
         << "\n";
    if (last_sync_.command().ran()) {
      out_ << "rotate: on-change command exited " << last_sync_.command().exit_code() << "\n";
    }
  }
  if (s.ok() && report_.secrets().empty()) out_ << "rotate: nothing to do\n";
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

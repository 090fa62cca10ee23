// PostgresTarget over LibpqRoleApplier or ExecRoleApplier.
#include "lib/rotate/postgres_target.h"

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/auth/credential_source.h"
#include "lib/base/status_macros.h"
#include "lib/postgres/exec_role_applier.h"
#include "lib/postgres/libpq_role_applier.h"

namespace secretsync {
namespace rotate {
namespace {

bool ExecAllowed(absl::string_view name) {
  static const char* const kExact[] = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ"};
  for (const char* e : kExact) {
    if (name == e) return true;
  }
  if (name == "PGPASSWORD") return false;
  return absl::StartsWith(name, "LC_") || absl::StartsWith(name, "DOCKER_") ||
         absl::StartsWith(name, "COMPOSE_") || absl::StartsWith(name, "PG");
}

// libpq: ALTER ROLE as the admin when there is one, else as the role itself
// with the password that logs in now.
class LibpqTarget : public PasswordTarget {
 public:
  LibpqTarget(postgres::ConnectionOptions options, std::string role,
              std::optional<std::pair<std::string, SecretValue>> admin)
      : options_(std::move(options)), role_(std::move(role)), admin_(std::move(admin)) {}

  std::string Describe() const override {
    return absl::StrCat("postgres role ", role_, " at ", options_.host, ":", options_.port);
  }
  absl::Status CanLogIn(const SecretValue& password) override {
    // CanLogIn opens its own connection as role_; the login fields are unused.
    postgres::LibpqRoleApplier probe(options_, role_, SecretValue());
    return probe.CanLogIn(role_, password);
  }
  absl::Status Apply(const SecretValue& current, const SecretValue& next) override {
    if (admin_.has_value()) {
      postgres::LibpqRoleApplier applier(options_, admin_->first, admin_->second.Copy());
      return applier.SetPassword(role_, next);
    }
    postgres::LibpqRoleApplier applier(options_, role_, current.Copy());
    return applier.SetPassword(role_, next);
  }

 private:
  postgres::ConnectionOptions options_;
  std::string role_;
  std::optional<std::pair<std::string, SecretValue>> admin_;
};

class ExecTarget : public PasswordTarget {
 public:
  ExecTarget(System& sys, std::vector<std::string> argv, std::string role)
      : applier_(sys.commands, sys.random, argv, absl::Seconds(60), ExecEnvironment(sys.env)),
        program_(argv.empty() ? "" : argv[0]),
        role_(std::move(role)) {}

  std::string Describe() const override {
    return absl::StrCat("postgres role ", role_, " through ", program_);
  }
  absl::Status CanLogIn(const SecretValue& password) override {
    return applier_.CanLogIn(role_, password);
  }
  absl::Status Apply(const SecretValue& /*current*/, const SecretValue& next) override {
    return applier_.SetPassword(role_, next);
  }

 private:
  postgres::ExecRoleApplier applier_;
  std::string program_;
  std::string role_;
};

// Both roles through one applier logging in as the admin (libpq) or through
// the exec route; probes log in as the role itself.
class PostgresPair : public RolePairTarget {
 public:
  PostgresPair(std::string primary, std::string alternate, std::string where,
               std::shared_ptr<postgres::RolePasswordApplier> applier,
               std::function<absl::Status(absl::string_view, const SecretValue&)> probe)
      : primary_(std::move(primary)),
        alternate_(std::move(alternate)),
        where_(std::move(where)),
        applier_(std::move(applier)),
        probe_(std::move(probe)) {}

  const std::string& primary() const override { return primary_; }
  const std::string& alternate() const override { return alternate_; }
  std::string Describe() const override { return where_; }
  absl::Status CanLogIn(absl::string_view role, const SecretValue& password) override {
    return probe_(role, password);
  }
  absl::Status SetPassword(absl::string_view role, const SecretValue& password) override {
    if (role == alternate_) return applier_->EnsureAlternateRole(alternate_, primary_, password);
    if (role == primary_) return applier_->SetPassword(primary_, password);
    return absl::InvalidArgumentError(absl::StrCat("role ", role, " is neither ", primary_,
                                                   " nor ", alternate_));
  }

 private:
  std::string primary_;
  std::string alternate_;
  std::string where_;
  std::shared_ptr<postgres::RolePasswordApplier> applier_;
  std::function<absl::Status(absl::string_view, const SecretValue&)> probe_;
};

postgres::ConnectionOptions OptionsOf(const v1::Postgres& pg) {
  postgres::ConnectionOptions o;
  if (!pg.host().empty()) o.host = pg.host();
  if (pg.port() != 0) o.port = static_cast<int>(pg.port());
  if (!pg.database().empty()) o.database = pg.database();
  if (!pg.sslmode().empty()) o.sslmode = pg.sslmode();
  if (pg.connect_timeout_seconds() != 0) {
    o.connect_timeout_seconds = static_cast<int>(pg.connect_timeout_seconds());
  }
  return o;
}

}  // namespace

std::map<std::string, std::string> ExecEnvironment(const Environment& env) {
  std::map<std::string, std::string> out;
  for (const std::string& name : env.Names()) {
    if (!ExecAllowed(name)) continue;
    if (std::optional<std::string> v = env.Get(name)) out[name] = *v;
  }
  return out;
}

absl::StatusOr<std::unique_ptr<PasswordTarget>> MakePostgresTarget(
    const v1::DeploymentConfig& config, absl::string_view role, System& sys) {
  if (!config.has_postgres()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "config: rotating the password of postgres role ", role,
        " needs a `postgres { host port database }` section"));
  }
  if (role.empty() || role.size() > 63) {
    return absl::FailedPreconditionError("config: rotation.postgres_role must be 1..63 bytes");
  }
  const v1::Postgres& pg = config.postgres();
  if (!pg.exec_command().empty()) {
    std::vector<std::string> argv(pg.exec_command().begin(), pg.exec_command().end());
    return std::unique_ptr<PasswordTarget>(new ExecTarget(sys, std::move(argv), std::string(role)));
  }
  postgres::ConnectionOptions o = OptionsOf(pg);
  std::optional<std::pair<std::string, SecretValue>> admin;
  if (pg.has_admin()) {
    if (pg.admin().user().empty()) {
      return absl::FailedPreconditionError("config: postgres.admin.user is empty");
    }
    SS_ASSIGN_OR_RETURN(SecretValue pw,
                        auth::ReadCredential(pg.admin().password(), "postgres.admin.password",
                                             sys.env));
    admin.emplace(pg.admin().user(), std::move(pw));
  }
  return std::unique_ptr<PasswordTarget>(
      new LibpqTarget(std::move(o), std::string(role), std::move(admin)));
}

absl::StatusOr<std::unique_ptr<RolePairTarget>> MakePostgresRolePair(
    const v1::DeploymentConfig& config, absl::string_view primary, absl::string_view alternate,
    System& sys) {
  if (!config.has_postgres()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "config: alternating users for postgres role ", primary,
        " need a `postgres { host port database admin }` section"));
  }
  for (absl::string_view role : {primary, alternate}) {
    if (role.empty() || role.size() > 63) {
      return absl::FailedPreconditionError(
          "config: rotation.postgres_role and rotation.alternate_role must be 1..63 bytes");
    }
  }
  if (primary == alternate) {
    return absl::FailedPreconditionError(
        "config: rotation.alternate_role must differ from rotation.postgres_role");
  }
  const v1::Postgres& pg = config.postgres();
  if (!pg.exec_command().empty()) {
    std::vector<std::string> argv(pg.exec_command().begin(), pg.exec_command().end());
    auto applier = std::make_shared<postgres::ExecRoleApplier>(
        sys.commands, sys.random, argv, absl::Seconds(60), ExecEnvironment(sys.env));
    std::string where = absl::StrCat("postgres through ", argv[0]);
    // The probe and the applier share one ExecRoleApplier.
    // A role that does not exist (the alternate before its first rotation)
    // cannot log in: Unauthenticated, as over libpq.
    auto probe = [applier](absl::string_view role, const SecretValue& pw) {
      absl::Status s = applier->CanLogIn(role, pw);
      if (absl::IsNotFound(s)) return absl::UnauthenticatedError(s.message());
      return s;
    };
    return std::unique_ptr<RolePairTarget>(new PostgresPair(
        std::string(primary), std::string(alternate), std::move(where), applier, probe));
  }
  if (!pg.has_admin() || pg.admin().user().empty()) {
    return absl::FailedPreconditionError(
        "config: rotation.strategy ALTERNATING_USERS needs postgres.admin (a login that may "
        "create roles) or postgres.exec_command");
  }
  SS_ASSIGN_OR_RETURN(SecretValue pw, auth::ReadCredential(pg.admin().password(),
                                                           "postgres.admin.password", sys.env));
  postgres::ConnectionOptions o = OptionsOf(pg);
  std::string where = absl::StrCat("postgres at ", o.host, ":", o.port);
  auto probe = [o](absl::string_view role, const SecretValue& password) {
    // CanLogIn opens its own connection as `role`; the login fields are unused.
    postgres::LibpqRoleApplier p(o, std::string(role), SecretValue());
    return p.CanLogIn(role, password);
  };
  return std::unique_ptr<RolePairTarget>(new PostgresPair(
      std::string(primary), std::string(alternate), std::move(where),
      std::make_shared<postgres::LibpqRoleApplier>(o, pg.admin().user(), std::move(pw)), probe));
}

}  // namespace rotate
}  // namespace secretsync

// keygen command: flag handling, spec-driven generation and --push.
#include "lib/keygen/keygen_command.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/config/deployment.h"
#include "lib/gen/generator.h"
#include "lib/metrics/run_metrics.h"
#include "lib/infisical/secret_store.h"


namespace secretsync {
namespace keygen {

const char kKeygenUsage[] =
    "generate secrets with the OS CSPRNG (getrandom).\n"
    "\n"
    "  keygen --format=hex --bytes=32          # like `openssl rand -hex 32`\n"
    "  keygen --format=django --count=3\n"
    "  keygen --config=secretsync.textproto                 # NAME=value for each spec'd secret\n"
    "  keygen --config=secretsync.textproto --secret=SECRET_KEY\n"
    "  keygen --config=secretsync.textproto --push          # create missing secrets in Infisical\n"
    "\n"
    "Values are printed on stdout only; --push prints names, never values.\n"
    "With --metrics_file (or the config's metrics_file), --push (not --dry-run)\n"
    "writes Prometheus metrics (docs/metrics.md); a file that cannot be written\n"
    "is a warning.\n";

namespace {

using secretsync::v1::DeploymentConfig;
using secretsync::v1::Generator;

constexpr int64_t kMaxCount = 100000;

absl::StatusOr<Generator> GeneratorFromFlags(const KeygenOptions& o) {
  SS_ASSIGN_OR_RETURN(Generator::Kind kind, gen::ParseKind(o.format));
  Generator g;
  g.set_kind(kind);
  const bool uses_bytes = kind == Generator::HEX || kind == Generator::BASE64 ||
                          kind == Generator::BASE64URL;
  if (uses_bytes && o.length != -1) {
    return absl::InvalidArgumentError(absl::StrCat("--length does not apply to --format=",
                                                   o.format, ": use --bytes"));
  }
  if (!uses_bytes && o.bytes != -1) {
    return absl::InvalidArgumentError(absl::StrCat("--bytes does not apply to --format=",
                                                   o.format, ": use --length"));
  }
  int64_t size = uses_bytes ? o.bytes : o.length;
  if (size != -1) {
    if (size < 1 || size > (uses_bytes ? gen::kMaxBytes : gen::kMaxLength)) {
      return absl::InvalidArgumentError(absl::StrCat(
          uses_bytes ? "--bytes" : "--length", " must be between 1 and ",
          uses_bytes ? gen::kMaxBytes : gen::kMaxLength, ", got ", size));
    }
    if (uses_bytes) g.set_bytes(static_cast<uint32_t>(size));
    else g.set_length(static_cast<uint32_t>(size));
  }
  return gen::WithDefaults(g);
}

absl::Status PrintValues(const Generator& g, int64_t count, RandomSource& random,
                         std::ostream& out) {
  std::string buffer;
  absl::Cleanup wipe = [&buffer] { WipeString(buffer); };  // on every path
  for (int64_t i = 0; i < count; ++i) {
    SS_ASSIGN_OR_RETURN(SecretValue v, gen::Generate(g, random));
    buffer.append(v.Expose().data(), v.size());
    buffer.push_back('\n');
  }
  out << buffer;
  out.flush();
  return absl::OkStatus();
}

absl::Status PrintSpec(const DeploymentConfig& config, absl::string_view only,
                       RandomSource& random, std::ostream& out) {
  bool found = false;
  for (const auto& spec : config.secrets()) {
    if (!only.empty() && spec.name() != only) continue;
    found = true;
    if (!spec.has_generator()) {
      if (!only.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "secret ", only, " has no generator in the spec: it is set by hand (e.g. EMAIL_URL)"));
      }
      continue;
    }
    SS_ASSIGN_OR_RETURN(SecretValue v, gen::Generate(spec.generator(), random));
    if (only.empty()) out << spec.name() << "=";
    out << v.Expose() << "\n";
  }
  if (!only.empty() && !found) {
    return absl::NotFoundError(absl::StrCat("secret ", only, " is not in the config's spec"));
  }
  out.flush();
  return absl::OkStatus();
}

absl::Status Push(const DeploymentConfig& config, bool dry_run, System& sys,
                  std::ostream& out) {
  Logger log(sys.log);
  if (config.environment().empty()) {
    return absl::FailedPreconditionError("config: environment is not set (or use --environment)");
  }
  if (config.project_id().empty() && config.project_slug().empty()) {
    return absl::FailedPreconditionError("config: set project_id or project_slug");
  }
  SS_ASSIGN_OR_RETURN(std::unique_ptr<infisical::SecretStore> store,
                      sys.stores(config));
  // The config's whole scope, imports included: a secret an import supplies
  // exists, and creating a folder copy would shadow it.
  const infisical::SecretScope scope = infisical::ScopeFromConfig(config);
  SS_ASSIGN_OR_RETURN(std::vector<infisical::SecretRecord> existing, store->List(scope));
  std::set<std::string> have;
  for (const auto& r : existing) have.insert(r.name);
  std::vector<std::string> created, kept, manual;
  for (const auto& spec : config.secrets()) {
    if (have.count(spec.name())) {
      kept.push_back(spec.name());
      continue;
    }
    if (!spec.has_generator()) {
      manual.push_back(spec.name());
      continue;
    }
    if (dry_run) {
      out << "would create " << spec.name() << "\n";
      continue;
    }
    SS_ASSIGN_OR_RETURN(SecretValue v, gen::Generate(spec.generator(), sys.random));
    absl::Status s = store->Create(scope, spec.name(), v,
                                   absl::StrCat("generated by secretsync keygen (",
                                                gen::KindName(spec.generator().kind()), ")"));
    if (absl::IsAlreadyExists(s)) {  // created meanwhile by someone else: keep theirs
      kept.push_back(spec.name());
      continue;
    }
    SS_RETURN_IF_ERROR(Annotate(s, absl::StrCat("create secret ", spec.name())));
    created.push_back(spec.name());
    out << "created " << spec.name() << "\n";
  }
  log.Info("keygen.pushed")
      .Field("environment", config.environment())
      .Field("path", config.secret_path())
      .Field("created", absl::StrJoin(created, ","))
      .Field("kept", absl::StrJoin(kept, ","));
  if (!manual.empty()) {
    log.Warn("keygen.missing_manual_secrets")
        .Field("names", absl::StrJoin(manual, ","))
        .Field("hint", "no generator in the spec: create them in Infisical by hand");
  }
  out.flush();
  return absl::OkStatus();
}

int Fail(std::ostream& err, const absl::Status& s) {
  err << "keygen: " << s.message() << "\n";
  return ExitCodeFromStatus(s);
}

}  // namespace

int RunKeygen(const KeygenOptions& o, System& sys, std::ostream& out, std::ostream& err) {
  auto usage = [&](absl::string_view msg) {
    err << "keygen: " << msg << " (see --help)\n";
    return static_cast<int>(kExitUsage);
  };
  if (o.count < 1 || o.count > kMaxCount) {
    return usage(absl::StrCat("--count must be between 1 and ", kMaxCount, ", got ", o.count));
  }
  if (o.config_path.empty()) {
    if (!o.secret.empty() || o.push) return usage("--secret and --push need --config");
    auto g = GeneratorFromFlags(o);
    if (!g.ok()) return usage(g.status().message());
    absl::Status s = PrintValues(*g, o.count, sys.random, out);
    return s.ok() ? kExitOk : Fail(err, s);
  }
  if (o.count != 1) return usage("--count does not apply with --config");
  if (!o.secret.empty() && o.push) return usage("--secret and --push are exclusive");
  if (o.dry_run && !o.push) return usage("--dry-run applies to --push");
  const absl::Time started = sys.clock.TimeNow();
  auto d = config::LoadDeployment(o.config_path, o.overrides, sys.fs, sys.env, sys.users);
  absl::Status s = d.status();
  if (d.ok()) {
    s = o.push ? Push(d->config, o.dry_run, sys, out)
               : PrintSpec(d->config, o.secret, sys.random, out);
  }
  const int code = s.ok() ? static_cast<int>(kExitOk) : Fail(err, s);
  if (o.push && !o.dry_run) {
    metrics::RunRecord run("keygen", o.metrics_file, o.config_path, started, o.counters);
    run.exit_code = code;
    run.deployment = d.ok() ? &*d : nullptr;
    metrics::WriteRunMetricsOrWarn(run, sys, err);
  }
  return code;
}

}  // namespace keygen
}  // namespace secretsync

// MakePlan: validation, rendering and diffing.
#include "lib/sync/plan.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/status_macros.h"
#include "lib/config/loader.h"
#include "lib/dotenv/reader.h"
#include "lib/dotenv/writer.h"
#include "lib/spec/validators.h"

namespace secretsync {
namespace sync {
namespace {

using SecretMap = std::map<std::string, SecretValue, std::less<>>;

// Every spec'd secret the template uses (or that exists) must pass its
// validator. Collects all failures into one error.
absl::Status ValidateSecrets(const v1::DeploymentConfig& config, const SecretMap& secrets,
                             const std::set<std::string>& referenced) {
  std::vector<std::string> problems;
  for (const std::string& name : referenced) {
    absl::Status s = spec::ValidateEnvName(name);
    if (!s.ok()) problems.push_back(std::string(s.message()));
  }
  for (const auto& spec : config.secrets()) {
    auto it = secrets.find(spec.name());
    if (it == secrets.end()) continue;  // a referenced missing one is reported by Render
    absl::Status s = spec::ValidateSecret(spec, it->second);
    if (!s.ok()) problems.push_back(std::string(s.message()));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

// Which secrets each variable's template line references.
std::map<std::string, std::set<std::string>> SecretsByVariable(const tmpl::Template& t) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& line : t.lines()) {
    if (line.key.empty() || !line.rendered) continue;
    for (const auto& seg : line.segments) {
      if (seg.is_reference) out[line.key].insert(seg.reference.name);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Plan> MakePlan(const v1::DeploymentConfig& config, const tmpl::Template& tmpl,
                              const std::vector<infisical::SecretRecord>& records,
                              const std::optional<std::string>& existing, Logger& log) {
  SecretMap secrets;
  for (const auto& r : records) secrets.emplace(r.name, r.value.Copy());
  std::vector<std::string> referenced_list = tmpl.ReferencedNames();
  std::set<std::string> referenced(referenced_list.begin(), referenced_list.end());

  SS_ASSIGN_OR_RETURN(tmpl::RenderedEnv rendered, tmpl::Render(tmpl, tmpl::MapLookup(secrets)));
  SS_RETURN_IF_ERROR(ValidateSecrets(config, secrets, referenced));
  Plan plan;
  SS_ASSIGN_OR_RETURN(plan.content, dotenv::WriteDotenv(rendered));

  if (existing.has_value() && plan.content == SecretValue(*existing)) {
    plan.unchanged = true;
    return plan;
  }
  dotenv::DotenvMap old;
  if (existing.has_value()) {
    auto parsed = dotenv::ParseDotenv(*existing, config.output_path());
    if (parsed.ok()) {
      old = std::move(*parsed);
    } else {
      log.Warn("sync.old_file_unreadable")
          .Field("path", config.output_path())
          .Field("why", parsed.status().message());
    }
  }
  const auto now = rendered.Values();
  for (const auto& [name, value] : now) {
    auto it = old.find(name);
    if (it == old.end()) {
      plan.added.push_back(name);
    } else if (it->second != *value) {
      plan.changed.push_back(name);
    }
  }
  for (const auto& [name, value] : old) {
    if (now.find(name) == now.end()) plan.removed.push_back(name);
  }

  const auto by_variable = SecretsByVariable(tmpl);
  std::set<std::string> services;
  for (const auto* names : {&plan.added, &plan.changed}) {
    for (const std::string& variable : *names) {
      auto it = by_variable.find(variable);
      if (it == by_variable.end()) continue;
      for (const std::string& secret : it->second) {
        const v1::SecretSpec* spec = config::FindSpec(config, secret);
        if (spec == nullptr) continue;
        for (const auto& s : spec->rotation().restart_services()) services.insert(s);
      }
    }
  }
  plan.services.assign(services.begin(), services.end());
  return plan;
}

}  // namespace sync
}  // namespace secretsync

// MakePlan: validation, rendering and diffing.
#include "lib/sync/plan.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/status_macros.h"
#include "lib/config/loader.h"
#include "lib/dotenv/reader.h"
#include "lib/dotenv/writer.h"
#include "lib/dotenv/env_name.h"
#include "lib/spec/validators.h"

namespace secretsync {
namespace sync {
namespace {

// The fetched secrets by name. It points into the records, which outlive the
// plan, so no value is copied (a list can hold 10,000 secrets). The first
// record of a name wins, as it would in a map.
class SecretIndex {
 public:
  explicit SecretIndex(const std::vector<infisical::SecretRecord>& records) {
    entries_.reserve(records.size());
    for (const auto& r : records) entries_.emplace_back(r.name, &r.value);
    // SecretStore::List returns records sorted by name; the check is cheap.
    if (!std::is_sorted(entries_.begin(), entries_.end(), ByName)) {
      std::stable_sort(entries_.begin(), entries_.end(), ByName);
    }
  }

  // The value of `name`, or nullptr when there is no such secret.
  const SecretValue* Find(absl::string_view name) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), Entry(name, nullptr), ByName);
    return it != entries_.end() && it->first == name ? it->second : nullptr;
  }

 private:
  using Entry = std::pair<absl::string_view, const SecretValue*>;
  static bool ByName(const Entry& a, const Entry& b) { return a.first < b.first; }
  std::vector<Entry> entries_;
};

// Every spec'd secret the template uses (or that exists) must pass its
// validator. Collects all failures into one error.
absl::Status ValidateSecrets(const v1::DeploymentConfig& config, const SecretIndex& secrets,
                             const std::vector<std::string>& referenced, Logger& log) {
  std::vector<std::string> problems;
  for (const std::string& name : referenced) {
    absl::Status s = dotenv::ValidateEnvName(name);
    if (!s.ok()) problems.push_back(std::string(s.message()));
  }
  for (const auto& spec : config.secrets()) {
    const SecretValue* value = secrets.Find(spec.name());
    if (value == nullptr) continue;  // a referenced missing one is reported by Render
    std::vector<std::string> warnings;
    absl::Status s = spec::ValidateSecret(spec, *value, &warnings);
    if (!s.ok()) problems.push_back(std::string(s.message()));
    for (const std::string& w : warnings) {
      log.Warn("sync.secret_warning").Field("secret", spec.name()).Field("why", w);
    }
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
                              const std::optional<SecretValue>& existing, Logger& log) {
  const SecretIndex secrets(records);
  const std::vector<std::string> referenced = tmpl.ReferencedNames();  // sorted, unique

  SS_ASSIGN_OR_RETURN(dotenv::RenderedEnv rendered,
                      tmpl::Render(tmpl, [&secrets](absl::string_view name) {
                        return secrets.Find(name);
                      }));
  SS_RETURN_IF_ERROR(ValidateSecrets(config, secrets, referenced, log));
  Plan plan;
  SS_ASSIGN_OR_RETURN(plan.content, dotenv::WriteDotenv(rendered));

  if (existing.has_value() && plan.content == *existing) {
    plan.unchanged = true;
    return plan;
  }
  dotenv::DotenvMap old;
  if (existing.has_value()) {
    dotenv::LenientDotenv parsed = dotenv::ParseDotenvLenient(*existing);
    old = std::move(parsed.values);
    plan.unparsable_lines = parsed.unparsable_lines;
    if (parsed.unparsable_lines > 0) {
      log.Warn("sync.old_file_unparsable_lines")
          .Field("path", config.output_path())
          .Field("lines", parsed.unparsable_lines);
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

// Metrics file: parse the previous file, merge, render the text format,
// write atomically.
#include "lib/metrics/metrics_file.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "lib/base/check.h"
#include "lib/fileio/atomic_writer.h"

namespace secretsync {
namespace metrics {
namespace {

constexpr size_t kMaxPreviousBytes = 4 << 20;

struct FamilyDef {
  const char* name;
  bool counter;
  const char* help;
};

// Every metric a one-shot tool writes; docs/metrics.md describes each.
constexpr FamilyDef kFamilies[] = {
    {kLastRunTimestamp, false, "Unix time the last run ended."},
    {kLastSuccessTimestamp, false, "Unix time the last successful run ended."},
    {kLastExitCode, false, "Exit code of the last run (0 = success)."},
    {kLastRunDuration, false, "Wall time of the last run."},
    {kRunsTotal, true, "Runs by result (success, failure)."},
    {kSecretsChanged, false, "Variables added, changed or removed by the last run."},
    {kOnChangeRan, false, "1 when the last run ran the on-change command."},
    {kOnChangeExitCode, false, "Exit code of the on-change command the last run ran."},
    {kRotationPending, false, "1 while a rotation of the secret is unfinished."},
    {kSecretAge, false, "Seconds since the secret last changed in Infisical (updatedAt)."},
    {kSecretMaxAge, false, "The secret's rotation max age (spec max_age_days)."},
    {kTokenCacheHits, true, "Runs that reused a cached access token."},
    {kTokenCacheMisses, true, "Universal-auth logins (no usable cached token)."},
    {kInfisicalRequests, true, "HTTP requests to Infisical by method and status class."},
    {kInfisicalRequestSeconds, true, "Summed latency of the HTTP requests to Infisical."},
    {kFanoutHostSuccess, false, "1 when the host's sync succeeded in the last fanout run."},
    {kFanoutHostExitCode, false, "The host's result in the last fanout run, as an exit code."},
    {kFanoutHostDuration, false, "Wall time of the host's sync in the last fanout run."},
};

const FamilyDef* FindFamily(absl::string_view name) {
  for (const FamilyDef& f : kFamilies) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

void Emit(TextExposition& out, const FamilyDef& def, const Labels& labels, double value) {
  out.Add(def.name,
          def.counter ? TextExposition::Type::kCounter : TextExposition::Type::kGauge, def.help,
          labels, value);
}

// Reads `k="v",...}` after the `{`; advances `s` past the `}`.
bool ParseLabels(absl::string_view& s, Labels& labels) {
  while (!s.empty() && s[0] != '}') {
    const size_t eq = s.find("=\"");
    if (eq == absl::string_view::npos) return false;
    std::string key(absl::StripAsciiWhitespace(s.substr(0, eq)));
    s.remove_prefix(eq + 2);
    std::string value;
    size_t i = 0;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        value.push_back(s[i] == 'n' ? '\n' : s[i]);
      } else {
        value.push_back(s[i]);
      }
    }
    if (i == s.size()) return false;
    s.remove_prefix(i + 1);
    labels[std::move(key)] = std::move(value);
    if (!s.empty() && s[0] == ',') s.remove_prefix(1);
  }
  if (s.empty()) return false;
  s.remove_prefix(1);
  return true;
}

bool ParseLine(absl::string_view line, Sample& out) {
  line = absl::StripAsciiWhitespace(line);
  if (line.empty() || line[0] == '#') return false;
  const size_t name_end = line.find_first_of("{ ");
  if (name_end == absl::string_view::npos) return false;
  out.name = std::string(line.substr(0, name_end));
  line.remove_prefix(name_end);
  if (line[0] == '{') {
    line.remove_prefix(1);
    if (!ParseLabels(line, out.labels)) return false;
  }
  // The value, then an optional timestamp (this writer sets none).
  std::vector<absl::string_view> rest =
      absl::StrSplit(absl::StripAsciiWhitespace(line), ' ', absl::SkipEmpty());
  return !rest.empty() && absl::SimpleAtod(rest[0], &out.value);
}

}  // namespace

void RunMetrics::Add(absl::string_view name, double value, Labels labels) {
  samples.push_back(Sample{std::string(name), std::move(labels), value});
}

std::string DeploymentLabel(absl::string_view config_path) {
  absl::string_view base = config_path;
  const size_t slash = base.rfind('/');
  if (slash != absl::string_view::npos) base.remove_prefix(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != absl::string_view::npos && dot > 0) base = base.substr(0, dot);
  return std::string(base);
}

std::vector<Sample> ParseMetricsText(absl::string_view text) {
  std::vector<Sample> samples;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    Sample s;
    if (ParseLine(line, s)) samples.push_back(std::move(s));
  }
  return samples;
}

std::string RenderMetrics(absl::string_view previous, const RunMetrics& run) {
  TextExposition out;
  bool sets_success = false;
  for (const Sample& s : run.samples) sets_success |= s.name == kLastSuccessTimestamp;
  for (const Sample& s : ParseMetricsText(previous)) {
    const FamilyDef* def = FindFamily(s.name);
    if (def == nullptr) continue;
    const auto dep = s.labels.find("deployment");
    const auto tool = s.labels.find("tool");
    const bool ours = dep != s.labels.end() && dep->second == run.deployment &&
                      tool != s.labels.end() && tool->second == run.tool;
    if (!ours || def->counter || (s.name == kLastSuccessTimestamp && !sets_success)) {
      Emit(out, *def, s.labels, s.value);
    }
  }
  for (const Sample& s : run.samples) {
    const FamilyDef* def = FindFamily(s.name);
    SS_CHECK(def != nullptr);
    Labels labels = s.labels;
    labels["deployment"] = run.deployment;
    labels["tool"] = run.tool;
    Emit(out, *def, labels, s.value);
  }
  return out.Text();
}

absl::Status WriteMetricsFile(Filesystem& fs, absl::string_view path, const RunMetrics& run) {
  // Only this writer's own format is merged; anything unreadable starts from 0.
  absl::StatusOr<std::string> previous = fs.ReadFile(path, kMaxPreviousBytes, Symlinks::kRefuse);
  const std::string text = RenderMetrics(previous.ok() ? *previous : "", run);
  fileio::WriteOptions options;
  options.mode = 0644;
  // Atomic (node_exporter never reads half a file) but not fsynced: a file
  // lost to a power cut costs a counter reset, which Prometheus's rate()
  // handles, and the next run writes it again. Two fsyncs were most of the
  // flag's cost on a warm sync (tests/bench/metrics_bench.sh).
  options.durable = false;
  return fileio::WriteFileAtomically(fs, path, text, options);
}

void WriteMetricsFileOrWarn(Filesystem& fs, absl::string_view path, const RunMetrics& run,
                            std::ostream& err) {
  if (path.empty()) return;
  const absl::Status written = WriteMetricsFile(fs, path, run);
  if (!written.ok()) {
    err << run.tool << ": warning: metrics file " << path << " not written: " << written.message()
        << "\n";
  }
}

}  // namespace metrics
}  // namespace secretsync

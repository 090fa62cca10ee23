// Hub config: text-format parsing with positions, defaults, then checks whose
// errors point at the offending field.
#include "lib/hub/hub_config.h"

#include <unistd.h>

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/hub/path_glob.h"

namespace secretsync {
namespace hub {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::TextFormat;
using secretsync::v1::HubConfig;
using secretsync::v1::HubRoute;

class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (set_) return;
    set_ = true;
    line_ = line;
    column_ = column;
    message_ = message;
  }
  bool set_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

absl::Status ConfigError(std::string message) {
  return WithExitCode(absl::FailedPreconditionError(std::move(message)), kExitConfig);
}

// "file:line:col" of a field, found through (field name, index) steps.
class Where {
 public:
  Where(absl::string_view file, const TextFormat::ParseInfoTree& tree) : file_(file), tree_(tree) {}

  // `path` alternates message field names with the index of repeated ones
  // (-1 for singular): {{"routes", 2}, {"hosts", 0}}.
  std::string At(const std::vector<std::pair<const char*, int>>& path) const {
    const TextFormat::ParseInfoTree* t = &tree_;
    const google::protobuf::Descriptor* d = HubConfig::descriptor();
    TextFormat::ParseLocation loc;
    for (size_t i = 0; i < path.size() && t != nullptr && d != nullptr; ++i) {
      const FieldDescriptor* f = d->FindFieldByName(path[i].first);
      if (f == nullptr) break;
      TextFormat::ParseLocation here = t->GetLocation(f, path[i].second);
      if (here.line >= 0) loc = here;
      t = t->GetTreeForNested(f, path[i].second);
      d = f->message_type();
    }
    if (loc.line < 0) return absl::StrCat(file_, ":1:1");
    return absl::StrCat(file_, ":", loc.line + 1, ":", loc.column + 1);
  }

 private:
  std::string file_;
  const TextFormat::ParseInfoTree& tree_;
};

std::string Resolve(absl::string_view dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return absl::StrCat(dir, "/", path);
}

absl::Status CheckListen(HubConfig& c, const Where& at) {
  auto& l = *c.mutable_listen();
  const std::string where = at.At({{"listen", -1}, {"address", -1}});
  const size_t colon = l.address().rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(l.address().substr(colon + 1), &port) || port < 0 || port > 65535) {
    return ConfigError(absl::StrCat(where, ": listen.address must be HOST:PORT"));
  }
  if (l.tls_cert_file().empty() != l.tls_key_file().empty()) {
    return ConfigError(absl::StrCat(at.At({{"listen", -1}}),
                                    ": listen.tls_cert_file and tls_key_file go together"));
  }
  const bool tls = !l.tls_cert_file().empty();
  if (tls && l.plaintext_loopback()) {
    return ConfigError(absl::StrCat(at.At({{"listen", -1}, {"plaintext_loopback", -1}}),
                                    ": plaintext_loopback with TLS files: choose one"));
  }
  if (!tls && !l.plaintext_loopback()) {
    return ConfigError(absl::StrCat(
        at.At({{"listen", -1}}),
        ": listen needs tls_cert_file and tls_key_file, or plaintext_loopback on a loopback "
        "address behind a TLS proxy"));
  }
  // IsLoopbackTarget wants a dialable port; port 0 (pick one) is fine here.
  if (!tls && !fanout::IsLoopbackTarget(absl::StrCat(l.address().substr(0, colon), ":1"))) {
    return ConfigError(absl::StrCat(where, ": plaintext_loopback: ", l.address().substr(0, 200),
                                    " is not a loopback address (127.0.0.0/8, [::1], "
                                    "localhost); use TLS"));
  }
  if (!l.status_address().empty()) {
    const size_t c2 = l.status_address().rfind(':');
    int sport = -1;
    if (c2 == std::string::npos || c2 == 0 ||
        !absl::SimpleAtoi(l.status_address().substr(c2 + 1), &sport) || sport < 0 ||
        sport > 65535 ||
        !fanout::IsLoopbackTarget(absl::StrCat(l.status_address().substr(0, c2), ":1"))) {
      return ConfigError(absl::StrCat(at.At({{"listen", -1}, {"status_address", -1}}),
                                      ": listen.status_address must be a loopback HOST:PORT"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLimits(HubConfig& c, const Where& at) {
  auto& m = *c.mutable_limits();
  struct Limit {
    const char* name;
    int32_t (secretsync::v1::HubLimits::*get)() const;
    void (secretsync::v1::HubLimits::*set)(int32_t);
    int32_t def, lo, hi;
  };
  using L = secretsync::v1::HubLimits;
  const Limit limits[] = {
      {"max_body_bytes", &L::max_body_bytes, &L::set_max_body_bytes, 65536, 256, 1 << 20},
      {"window_seconds", &L::window_seconds, &L::set_window_seconds, 300, 1, 3600},
      {"debounce_ms", &L::debounce_ms, &L::set_debounce_ms, 500, 1, 60000},
      {"max_delay_ms", &L::max_delay_ms, &L::set_max_delay_ms, 5000, 1, 600000},
      {"retry_budget_seconds", &L::retry_budget_seconds, &L::set_retry_budget_seconds, 300, 1,
       86400},
      {"retry_initial_ms", &L::retry_initial_ms, &L::set_retry_initial_ms, 1000, 1, 600000},
      {"retry_max_ms", &L::retry_max_ms, &L::set_retry_max_ms, 60000, 1, 3600000},
  };
  for (const Limit& l : limits) {
    const int32_t v = (m.*l.get)();
    if (v == 0) {
      (m.*l.set)(l.def);
    } else if (v < l.lo || v > l.hi) {
      return ConfigError(absl::StrCat(at.At({{"limits", -1}, {l.name, -1}}), ": limits.", l.name,
                                      " must be in [", l.lo, ", ", l.hi, "]"));
    }
  }
  if (m.max_delay_ms() < m.debounce_ms()) {
    return ConfigError(absl::StrCat(at.At({{"limits", -1}, {"max_delay_ms", -1}}),
                                    ": limits.max_delay_ms is shorter than debounce_ms"));
  }
  if (c.status_history() == 0) c.set_status_history(50);
  if (c.status_history() < 1 || c.status_history() > 10000) {
    return ConfigError(
        absl::StrCat(at.At({{"status_history", -1}}), ": status_history must be in [1, 10000]"));
  }
  return absl::OkStatus();
}

absl::Status CheckAgents(HubConfig& c, absl::string_view dir, const Where& at) {
  auto& a = *c.mutable_agents();
  if (!a.insecure_loopback_plaintext() &&
      (a.ca_file().empty() || a.tls_cert_file().empty() || a.tls_key_file().empty())) {
    return ConfigError(absl::StrCat(at.At({{"agents", -1}}),
                                    ": agents needs ca_file, tls_cert_file and tls_key_file "
                                    "(mTLS) unless insecure_loopback_plaintext"));
  }
  a.set_ca_file(Resolve(dir, a.ca_file()));
  a.set_tls_cert_file(Resolve(dir, a.tls_cert_file()));
  a.set_tls_key_file(Resolve(dir, a.tls_key_file()));
  a.set_token_file(Resolve(dir, a.token_file()));
  return absl::OkStatus();
}

absl::Status CheckRoute(HubConfig& c, int i, absl::string_view dir, Filesystem& fs,
                        const Where& at, std::set<std::string>& names,
                        std::vector<fanout::HostEntry>& hosts) {
  HubRoute& r = *c.mutable_routes(i);
  auto pos = [&](const char* field, int index = -1) {
    return at.At({{"routes", i}, {field, index}});
  };
  if (r.name().empty()) r.set_name(absl::StrCat("route-", i + 1));
  if (!names.insert(r.name()).second) {
    return ConfigError(absl::StrCat(pos("name"), ": route name ", r.name(), " is used twice"));
  }
  if (r.project_id().empty()) {
    return ConfigError(absl::StrCat(pos("name"), ": route ", r.name(),
                                    " needs project_id (deliveries carry only the id)"));
  }
  if (r.environment().empty()) {
    return ConfigError(absl::StrCat(pos("name"), ": route ", r.name(), " needs environment"));
  }
  if (r.secret_path().empty()) r.set_secret_path("/**");
  if (absl::Status s = CheckPathGlob(r.secret_path()); !s.ok()) {
    return ConfigError(absl::StrCat(pos("secret_path"), ": ", s.message()));
  }
  for (int h = 0; h < r.hosts_size(); ++h) {
    absl::StatusOr<fanout::HostEntry> e = fanout::ParseHostEntry(r.hosts(h));
    if (!e.ok()) return ConfigError(absl::StrCat(pos("hosts", h), ": ", e.status().message()));
    fanout::MergeHosts(hosts, {*std::move(e)});
  }
  if (!r.hosts_file().empty()) {
    r.set_hosts_file(Resolve(dir, r.hosts_file()));
    absl::StatusOr<std::string> text = fs.ReadFile(r.hosts_file(), 4 << 20);
    if (!text.ok()) return Annotate(text.status(), absl::StrCat(pos("hosts_file"), ": hosts_file"));
    absl::StatusOr<std::vector<fanout::HostEntry>> more =
        fanout::ParseHostList(*text, r.hosts_file());
    if (!more.ok()) return ConfigError(std::string(more.status().message()));
    fanout::MergeHosts(hosts, *more);
  }
  if (hosts.empty()) {
    return ConfigError(absl::StrCat(pos("name"), ": route ", r.name(), " has no hosts"));
  }
  if (c.agents().insecure_loopback_plaintext()) {
    for (const fanout::HostEntry& h : hosts) {
      if (!fanout::IsLoopbackTarget(h.target)) {
        return ConfigError(absl::StrCat(pos("name"), ": route ", r.name(), ": host ",
                                        h.target.substr(0, 200),
                                        " is not loopback, but agents are plaintext"));
      }
    }
  }
  if (r.parallel() == 0) r.set_parallel(16);
  if (r.parallel() < 1 || r.parallel() > 1024) {
    return ConfigError(absl::StrCat(pos("parallel"), ": parallel must be in [1, 1024]"));
  }
  if (r.deadline_seconds() == 0) r.set_deadline_seconds(1800);
  if (r.deadline_seconds() < 1 || r.deadline_seconds() > 86400) {
    return ConfigError(
        absl::StrCat(pos("deadline_seconds"), ": deadline_seconds must be in [1, 86400]"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoadedHubConfig> ParseHubConfig(absl::string_view text, absl::string_view filename,
                                               absl::string_view dir, Filesystem& fs) {
  LoadedHubConfig out;
  TextFormat::Parser parser;
  FirstError errors;
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &out.config)) {
    return ConfigError(absl::StrCat(filename, ":", errors.line_ + 1, ":", errors.column_ + 1, ": ",
                                    errors.set_ ? errors.message_ : "cannot parse config"));
  }
  HubConfig& c = out.config;
  Where at(filename, tree);
  SS_RETURN_IF_ERROR(CheckListen(c, at));
  c.mutable_listen()->set_tls_cert_file(Resolve(dir, c.listen().tls_cert_file()));
  c.mutable_listen()->set_tls_key_file(Resolve(dir, c.listen().tls_key_file()));
  if (c.webhook_key_file().empty()) {
    return ConfigError(absl::StrCat(filename, ":1:1: webhook_key_file is required"));
  }
  c.set_webhook_key_file(Resolve(dir, c.webhook_key_file()));
  SS_RETURN_IF_ERROR(CheckLimits(c, at));
  SS_RETURN_IF_ERROR(CheckAgents(c, dir, at));
  if (c.routes_size() == 0) return ConfigError(absl::StrCat(filename, ":1:1: no routes"));
  std::set<std::string> names;
  for (int i = 0; i < c.routes_size(); ++i) {
    out.route_hosts.emplace_back();
    SS_RETURN_IF_ERROR(CheckRoute(c, i, dir, fs, at, names, out.route_hosts.back()));
  }
  return out;
}

absl::StatusOr<LoadedHubConfig> LoadHubConfig(absl::string_view path, Filesystem& fs) {
  absl::StatusOr<std::string> text = fs.ReadFile(path, 1 << 20);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("config ", path, ": no such file"));
  }
  if (!text.ok()) return ConfigError(absl::StrCat("config ", path, ": cannot read"));
  std::string full(path);
  if (full.empty() || full[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd)) != nullptr) full = absl::StrCat(cwd, "/", path);
  }
  const size_t slash = full.rfind('/');
  return ParseHubConfig(*text, path, full.substr(0, slash == 0 ? 1 : slash), fs);
}

}  // namespace hub
}  // namespace secretsync

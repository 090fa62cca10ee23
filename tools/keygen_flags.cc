// --flags of keygen.
#include "tools/keygen_flags.h"

#include <cstdint>
#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, format, "hex", "hex, base64, base64url, alnum or django");
ABSL_FLAG(int64_t, bytes, -1, "random bytes for hex/base64/base64url (default 32)");
ABSL_FLAG(int64_t, length, -1, "characters for alnum (default 32) or django (default 50)");
ABSL_FLAG(int64_t, count, 1, "how many values to print, one per line (1..100000)");
ABSL_FLAG(std::string, config, "", "deployment config (text proto) with the secret spec");
ABSL_FLAG(std::string, secret, "", "with --config: generate this secret per its spec");
ABSL_FLAG(bool, push, false,
          "with --config: create in Infisical each spec'd secret that does not exist yet; "
          "never overwrites; prints the names created");
ABSL_FLAG(bool, dry_run, false, "with --push: print the names that would be created, change nothing");
ABSL_FLAG(std::string, site_url, "", "override the config's infisical.site_url");
ABSL_FLAG(std::string, environment, "", "override the config's environment");
ABSL_FLAG(std::string, secret_path, "", "override the config's secret_path");

ABSL_FLAG(std::string, metrics_file, "",
          "with --push: write Prometheus metrics of this run to this file (node_exporter "
          "textfile collector; overrides the config's metrics_file)");

namespace secretsync {

keygen::KeygenOptions KeygenOptionsFromFlags() {
  keygen::KeygenOptions o;
  o.format = absl::GetFlag(FLAGS_format);
  o.bytes = absl::GetFlag(FLAGS_bytes);
  o.length = absl::GetFlag(FLAGS_length);
  o.count = absl::GetFlag(FLAGS_count);
  o.config_path = absl::GetFlag(FLAGS_config);
  o.secret = absl::GetFlag(FLAGS_secret);
  o.push = absl::GetFlag(FLAGS_push);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.overrides.site_url = absl::GetFlag(FLAGS_site_url);
  o.overrides.environment = absl::GetFlag(FLAGS_environment);
  o.overrides.secret_path = absl::GetFlag(FLAGS_secret_path);
  o.metrics_file = absl::GetFlag(FLAGS_metrics_file);
  return o;
}

}  // namespace secretsync

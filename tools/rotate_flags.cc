// --flags of rotate.
#include "tools/rotate_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::string, config, "", "deployment config (text proto); required");
ABSL_FLAG(std::string, site_url, "", "override infisical.site_url");
ABSL_FLAG(std::string, environment, "", "override the environment slug");
ABSL_FLAG(std::string, secret_path, "", "override the secret path");
ABSL_FLAG(std::string, output, "", "override the output (.env) path");
ABSL_FLAG(std::string, secret, "", "rotate this secret (a name from the config's secrets)");
ABSL_FLAG(bool, all, false,
          "rotate every secret with a generator or a postgres role (first settling a "
          "rotation left pending, as --resume)");
ABSL_FLAG(bool, due, false,
          "rotate the secrets older than their rotation.max_age_days (first settling a "
          "rotation left pending, as --resume)");
ABSL_FLAG(bool, resume, false, "finish or roll back an interrupted PostgreSQL rotation");
ABSL_FLAG(bool, dry_run, false, "name what would rotate; change nothing");
ABSL_FLAG(bool, json, false, "print the report as one JSON object");
ABSL_FLAG(std::string, value_file, "",
          "with --secret: read the new value from this file (0600, owned by the running "
          "user), or '-' for stdin (externally issued secrets such as EMAIL_URL only; "
          "never give a value on argv)");
ABSL_FLAG(absl::Duration, wait_lock, absl::Seconds(60),
          "how long to wait for a sync or rotate of the same file to finish");

ABSL_FLAG(std::string, metrics_file, "",
          "write Prometheus metrics of this run to this file (node_exporter textfile "
          "collector; overrides the config's metrics_file)");

namespace secretsync {

rotate::RotateOptions RotateOptionsFromFlags() {
  rotate::RotateOptions o;
  o.config_path = absl::GetFlag(FLAGS_config);
  o.overrides.site_url = absl::GetFlag(FLAGS_site_url);
  o.overrides.environment = absl::GetFlag(FLAGS_environment);
  o.overrides.secret_path = absl::GetFlag(FLAGS_secret_path);
  o.overrides.output_path = absl::GetFlag(FLAGS_output);
  o.secret = absl::GetFlag(FLAGS_secret);
  o.all = absl::GetFlag(FLAGS_all);
  o.due = absl::GetFlag(FLAGS_due);
  o.resume = absl::GetFlag(FLAGS_resume);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.json = absl::GetFlag(FLAGS_json);
  o.value_file = absl::GetFlag(FLAGS_value_file);
  o.wait_lock = absl::GetFlag(FLAGS_wait_lock);
  o.metrics_file = absl::GetFlag(FLAGS_metrics_file);
  return o;
}

}  // namespace secretsync

// --flags of sync.
#include "tools/sync_flags.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

ABSL_FLAG(std::string, config, "", "deployment config (text proto); required");
ABSL_FLAG(std::string, site_url, "", "override infisical.site_url");
ABSL_FLAG(std::string, environment, "", "override the environment slug");
ABSL_FLAG(std::string, secret_path, "", "override the secret path");
ABSL_FLAG(std::string, template_path, "", "override the template path");
ABSL_FLAG(std::string, output, "", "override the output (.env) path");
ABSL_FLAG(bool, dry_run, false, "fetch, validate and diff, but write nothing and run nothing");
ABSL_FLAG(bool, check, false,
          "run every offline check of a real run (config, template, output, credentials): "
          "no network, no writes");
ABSL_FLAG(bool, json, false, "print the report as one JSON object");
ABSL_FLAG(bool, run_command, true, "run the on-change command when the file changes");
ABSL_FLAG(absl::Duration, wait_lock, absl::Seconds(60),
          "how long to wait for another sync of the same file to finish");

ABSL_FLAG(std::string, metrics_file, "",
          "write Prometheus metrics of this run to this file (node_exporter textfile "
          "collector; overrides the config's metrics_file)");

namespace secretsync {

sync::SyncOptions SyncOptionsFromFlags() {
  sync::SyncOptions o;
  o.config_path = absl::GetFlag(FLAGS_config);
  o.overrides.site_url = absl::GetFlag(FLAGS_site_url);
  o.overrides.environment = absl::GetFlag(FLAGS_environment);
  o.overrides.secret_path = absl::GetFlag(FLAGS_secret_path);
  o.overrides.template_path = absl::GetFlag(FLAGS_template_path);
  o.overrides.output_path = absl::GetFlag(FLAGS_output);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.check = absl::GetFlag(FLAGS_check);
  o.json = absl::GetFlag(FLAGS_json);
  o.run_command = absl::GetFlag(FLAGS_run_command);
  o.wait_lock = absl::GetFlag(FLAGS_wait_lock);
  o.metrics_file = absl::GetFlag(FLAGS_metrics_file);
  return o;
}

}  // namespace secretsync

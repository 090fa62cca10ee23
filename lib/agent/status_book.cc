// StatusBook: a map of DeploymentStatus messages.
#include "lib/agent/status_book.h"

namespace secretsync {
namespace agent {

StatusBook::StatusBook(const std::vector<std::string>& deployments) : order_(deployments) {
  for (const std::string& d : deployments) by_name_[d].set_deployment(d);
}

void StatusBook::Started(const std::string& deployment, absl::Time now) {
  secretsync::v1::DeploymentStatus& s = by_name_[deployment];
  s.set_deployment(deployment);
  s.set_last_attempt_unix_ms(absl::ToUnixMillis(now));
  s.set_running(true);
}

void StatusBook::Finished(const std::string& deployment, absl::Time now,
                          const secretsync::v1::SyncReport& report) {
  secretsync::v1::DeploymentStatus& s = by_name_[deployment];
  s.set_running(false);
  s.set_runs(s.runs() + 1);
  s.set_last_exit_code(report.exit_code());
  s.set_last_error(report.error());
  s.set_last_health(report.health().outcome());
  if (report.exit_code() == 0 && report.error().empty()) {
    s.set_last_success_unix_ms(absl::ToUnixMillis(now));
    s.set_content_sha256(report.content_sha256());
  }
}

std::vector<secretsync::v1::DeploymentStatus> StatusBook::All() const {
  std::vector<secretsync::v1::DeploymentStatus> out;
  for (const std::string& d : order_) out.push_back(by_name_.at(d));
  return out;
}

}  // namespace agent
}  // namespace secretsync

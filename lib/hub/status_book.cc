// StatusBook: bounded history, rendered as JSON for GET /status.
#include "lib/hub/status_book.h"

#include <utility>

#include "nlohmann/json.hpp"

namespace secretsync {
namespace hub {
namespace {

std::string TimeText(absl::Time t) {
  if (t == absl::Time()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace

StatusBook::StatusBook(std::vector<std::string> route_names, size_t history)
    : route_names_(std::move(route_names)), history_(history), last_(route_names_.size()) {}

void StatusBook::AddDelivery(DeliveryRecord record) {
  std::lock_guard<std::mutex> l(mu_);
  deliveries_.push_front(std::move(record));
  while (deliveries_.size() > history_) deliveries_.pop_back();
}

void StatusBook::SetFanout(size_t route, FanoutRecord record) {
  std::lock_guard<std::mutex> l(mu_);
  last_[route] = std::move(record);
}

std::string StatusBook::Json(const std::vector<RouteCounts>& counts) const {
  using nlohmann::json;
  json doc;
  std::lock_guard<std::mutex> l(mu_);
  doc["deliveries"] = json::array();
  for (const DeliveryRecord& d : deliveries_) {
    doc["deliveries"].push_back({{"time", TimeText(d.at)},
                                 {"delivery_id", d.delivery_id},
                                 {"event", d.change.event},
                                 {"project", d.change.workspace_id},
                                 {"environment", d.change.environment},
                                 {"secret_path", d.change.secret_path},
                                 {"outcome", d.outcome},
                                 {"routes", d.routes}});
  }
  doc["routes"] = json::array();
  for (size_t i = 0; i < route_names_.size(); ++i) {
    const RouteCounts c = i < counts.size() ? counts[i] : RouteCounts();
    json r = {{"name", route_names_[i]},      {"deliveries", c.deliveries},
              {"fanouts", c.fanouts},         {"retries", c.retries},
              {"gave_up", c.gave_up},         {"in_flight", c.in_flight},
              {"pending", c.pending}};
    const FanoutRecord& f = last_[i];
    if (f.fanout > 0) {
      json hosts = json::array();
      for (const fanout::HostResult& h : f.hosts) {
        hosts.push_back({{"host", h.host},
                         {"result", fanout::OutcomeName(h.outcome)},
                         {"exit_code", fanout::HostExitCode(h)},
                         {"ms", h.duration_ms},
                         {"changed", h.changed},
                         {"error", h.error}});
      }
      r["last_fanout"] = {{"request_id", f.request_id}, {"fanout", f.fanout},
                          {"attempt", f.attempt},       {"started", TimeText(f.started)},
                          {"ms", f.ms},                 {"hosts", hosts}};
    }
    doc["routes"].push_back(std::move(r));
  }
  // Agents' messages may hold invalid UTF-8: replace rather than throw.
  return doc.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace hub
}  // namespace secretsync

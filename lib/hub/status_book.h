// What the hub's status page shows: recent deliveries and the last fan-out of
// each route, per host. Names, ids, codes and times only: no values.
#ifndef SECRETSYNC_LIB_HUB_STATUS_BOOK_H_
#define SECRETSYNC_LIB_HUB_STATUS_BOOK_H_

#include <deque>
#include <string>
#include <vector>

#include <mutex>

#include "absl/time/time.h"
#include "lib/fanout/agent_client.h"
#include "lib/hub/router.h"
#include "lib/hub/scheduler.h"

namespace secretsync {
namespace hub {

struct DeliveryRecord {
  absl::Time at;
  std::string delivery_id;
  Change change;
  std::string outcome;  // "routed", "no route", "unknown project", "test"
  std::vector<std::string> routes;
};

struct FanoutRecord {
  std::string request_id;
  uint64_t fanout = 0;
  int attempt = 0;
  absl::Time started;
  int64_t ms = 0;
  std::vector<fanout::HostResult> hosts;
};

// Keeps the last `history` deliveries and each route's last fan-out.
// Thread-safe.
class StatusBook {
 public:
  StatusBook(std::vector<std::string> route_names, size_t history);

  void AddDelivery(DeliveryRecord record);
  void SetFanout(size_t route, FanoutRecord record);
  // One JSON document: {"deliveries":[...newest first],"routes":[{"name",
  // "deliveries","fanouts","retries","gave_up","in_flight","pending",
  // "last_fanout":{"request_id","fanout","attempt","started","ms","hosts":[
  // {"host","result","exit_code","ms","changed","error"}]}}]}. `counts`
  // holds each route's scheduler counts, index for index.
  std::string Json(const std::vector<RouteCounts>& counts) const;

 private:
  const std::vector<std::string> route_names_;
  const size_t history_;
  mutable std::mutex mu_;  // std::mutex: visible to ThreadSanitizer
  std::deque<DeliveryRecord> deliveries_;  // guarded by mu_
  std::vector<FanoutRecord> last_;         // guarded by mu_
};

}  // namespace hub
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HUB_STATUS_BOOK_H_

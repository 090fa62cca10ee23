// SecretObserver: remembers the names and updatedAt times of the secrets a
// run listed, through a store decorator, so the metrics can tell pending
// rotations and secret ages without another request. Never keeps a value.
#ifndef SECRETSYNC_LIB_METRICS_SECRET_OBSERVER_H_
#define SECRETSYNC_LIB_METRICS_SECRET_OBSERVER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/infisical/secret_store.h"

namespace secretsync {
namespace metrics {

// Thread-safe. Outlives every store Wrap() builds.
class SecretObserver {
 public:
  // A factory whose stores forward to `inner`'s and record every listed
  // secret's name and updated_at (InfinitePast when the store does not say).
  infisical::SecretStoreFactory Wrap(infisical::SecretStoreFactory inner);

  // Records one successful List's names and updated_at times.
  void RecordList(const std::vector<infisical::SecretRecord>& records);
  // Name -> updated_at of every secret listed so far.
  std::map<std::string, absl::Time> seen() const;
  // Whether any List succeeded (else seen() tells nothing).
  bool listed() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, absl::Time> seen_ ABSL_GUARDED_BY(mu_);
  bool listed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_SECRET_OBSERVER_H_

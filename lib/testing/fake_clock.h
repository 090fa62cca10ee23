// FakeClock: time moves only when a test (or Sleep) advances it.
#ifndef SECRETSYNC_LIB_TESTING_FAKE_CLOCK_H_
#define SECRETSYNC_LIB_TESTING_FAKE_CLOCK_H_

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"

namespace secretsync {

// Sleep() advances the time at once and records the duration. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1800000000)) : now_(start) {}
  absl::Time TimeNow() override {
    absl::MutexLock l(&mu_);
    return now_;
  }
  void Sleep(absl::Duration d) override {
    absl::MutexLock l(&mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock l(&mu_);
    now_ += d;
  }
  std::vector<absl::Duration> sleeps() const {
    absl::MutexLock l(&mu_);
    return sleeps_;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
  std::vector<absl::Duration> sleeps_;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_FAKE_CLOCK_H_

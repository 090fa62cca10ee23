// Clock seam: real time in main(), FakeClock in tests (abseil's later names).
#ifndef SECRETSYNC_LIB_BASE_CLOCK_H_
#define SECRETSYNC_LIB_BASE_CLOCK_H_

#include "absl/time/time.h"

namespace secretsync {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time TimeNow() = 0;
  virtual void Sleep(absl::Duration d) = 0;
};

// Wall clock and real sleeping.
class RealClock : public Clock {
 public:
  absl::Time TimeNow() override;
  void Sleep(absl::Duration d) override;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_CLOCK_H_

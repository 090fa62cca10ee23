// RealClock: the only place lib/ reads the wall clock.
#include "lib/base/clock.h"

#include "absl/time/clock.h"

namespace secretsync {

absl::Time RealClock::TimeNow() { return absl::Now(); }
void RealClock::Sleep(absl::Duration d) { absl::SleepFor(d); }

}  // namespace secretsync

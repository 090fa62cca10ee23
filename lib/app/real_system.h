// RealSystem: the real clock, filesystem, CSPRNG, environment, process runner,
// stderr log and Infisical-over-curl store factory, for main().
#ifndef SECRETSYNC_LIB_APP_REAL_SYSTEM_H_
#define SECRETSYNC_LIB_APP_REAL_SYSTEM_H_

#include <iostream>

#include <memory>

#include "lib/app/system.h"
#include "lib/metrics/counting_log_sink.h"
#include "lib/metrics/run_counters.h"

namespace secretsync {

// Owns the real seams. Not copyable; lives for the whole of main(). Build one
// per process, first thing: the constructor also tunes glibc malloc for a
// short-lived tool (see real_system.cc). With `counters` (owned by the
// caller, outliving this), every Infisical request and token cache event of
// the stores deps() builds is counted there (for --metrics_file).
class RealSystem {
 public:
  explicit RealSystem(metrics::RunCounters* counters = nullptr);
  RealSystem(const RealSystem&) = delete;
  RealSystem& operator=(const RealSystem&) = delete;

  System deps();

 private:
  RealClock clock_;
  RealFilesystem fs_;
  OsRandomSource random_;
  RealEnvironment env_;
  RealCommandRunner commands_;
  StreamLogSink log_;
  RealUserDirectory users_;
  metrics::RunCounters* counters_;
  std::unique_ptr<metrics::CountingLogSink> counting_log_;  // set with counters_
};

// Builds InfisicalClient stores over a CurlHttpTransport configured from the
// deployment config (CA bundle, timeouts, size cap). Each store owns its
// transport; the other seams (and `counters`, which counts every request
// when set) must outlive it.
infisical::SecretStoreFactory CurlStoreFactory(Clock& clock, RandomSource& random,
                                               const Environment& env, LogSink& log,
                                               metrics::RunCounters* counters = nullptr);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_APP_REAL_SYSTEM_H_

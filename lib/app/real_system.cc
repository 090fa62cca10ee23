// RealSystem wiring and the curl-backed store factory.
#include "lib/app/real_system.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "lib/base/status_macros.h"
#include "lib/http/curl_http_transport.h"
#include "lib/infisical/infisical_store.h"
#include "lib/metrics/instrumented_http_transport.h"

namespace secretsync {
namespace {

// A store that owns the transport it talks through.
class OwningStore : public infisical::ForwardingSecretStore {
 public:
  OwningStore(std::unique_ptr<HttpTransport> http, std::unique_ptr<HttpTransport> counting,
              std::unique_ptr<infisical::SecretStore> inner)
      : ForwardingSecretStore(*inner),
        http_(std::move(http)),
        counting_(std::move(counting)),
        inner_(std::move(inner)) {}
  ~OwningStore() override { inner_.reset(); }  // before the transports it uses

 private:
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<HttpTransport> counting_;  // over http_; null when not counting
  std::unique_ptr<infisical::SecretStore> inner_;
};

constexpr uintptr_t kHugePage = 2 << 20;

// sync and keygen are one-shot processes, and a 10,000-secret list reply
// passes through ~15 MB of buffers (the body, protobuf's transcoding buffers,
// the message, the records). With glibc's defaults each of them is faulted in
// 4 KiB at a time, and a page fault costs ~13 us on a VM: a third of such a
// sync's time. So, once, before anything big is allocated:
//  - blocks up to 32 MiB (the most glibc accepts) come from the heap, and
//    freed memory stays there for reuse instead of being unmapped or trimmed
//    (a quarter fewer faults by itself);
//  - the heap grows by 64 MiB of address space now (untouched pages cost
//    nothing), and that range is marked MADV_HUGEPAGE, so where the kernel's
//    transparent huge pages are in "madvise" mode (Debian's default) the
//    heap faults in 2 MiB at a time (GLIBC_TUNABLES=glibc.malloc.hugetlb=1
//    does the same for a whole process, but must be set before it starts).
// Every step is best effort: where one fails, malloc works as before.
void TuneMallocForOneShotProcess() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  const uintptr_t before = reinterpret_cast<uintptr_t>(sbrk(0));
  // More than the whole heap holds, so no free chunk fits: malloc must grow
  // the heap, by the request plus the 64 MiB pad. (volatile: else the
  // compiler drops the malloc/free pair as dead code.)
  void* volatile grow = malloc(mallinfo2().arena + 1);
  const uintptr_t next = reinterpret_cast<uintptr_t>(grow);  // where the heap's top starts
  const uintptr_t after = reinterpret_cast<uintptr_t>(sbrk(0));
  free(grow);  // back to the top of the heap, which is no longer trimmed
  mallopt(M_TOP_PAD, 128 << 10);  // glibc's default, for any later growth
  const uintptr_t start = (before + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = after & ~(kHugePage - 1);
  if (before == static_cast<uintptr_t>(-1) || end <= start ||
      madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE) != 0) {
    return;
  }
  // The next allocations start at `next`, up to 2 MiB below the first
  // huge page, in 4 KiB pages: on a VM each such fault costs ~15 us against
  // ~0.2 ms for a whole 2 MiB one (docs/benchmarks.md, "heap page faults"), so a
  // sync's first megabyte of heap cost it milliseconds. A block that is
  // never written fills that gap (untouched, it takes no memory), and the
  // first allocations after it land in a huge page. Kept for the process's
  // life; reachable from here, so leak checkers do not report it.
  // glibc's chunks: a 16-byte header before `next`, and a block of n bytes
  // spans n + 8 rounded up to 16 (its neighbour's header holds the last 8):
  // asking for the gap + 8 puts the next chunk's header exactly at `start`.
  static void* gap = nullptr;
  if (gap == nullptr && start > next) gap = malloc(start - next + 8);
}

}  // namespace

infisical::SecretStoreFactory CurlStoreFactory(Clock& clock, RandomSource& random,
                                               const Environment& env, LogSink& log,
                                               metrics::RunCounters* counters) {
  return [&clock, &random, &env, &log, counters](const v1::DeploymentConfig& config)
             -> absl::StatusOr<std::unique_ptr<infisical::SecretStore>> {
    SS_ASSIGN_OR_RETURN(http::CurlTransportOptions options,
                        infisical::CurlTransportOptionsFromConfig(config));
    std::unique_ptr<HttpTransport> http =
        std::make_unique<http::CurlHttpTransport>(std::move(options));
    std::unique_ptr<HttpTransport> counting;
    if (counters != nullptr) {
      counting = std::make_unique<metrics::InstrumentedHttpTransport>(*http, clock, *counters);
    }
    HttpTransport& used = counting ? *counting : *http;
    SS_ASSIGN_OR_RETURN(std::unique_ptr<infisical::SecretStore> inner,
                        infisical::NewInfisicalStore(config, used, clock, random, env, log));
    return std::unique_ptr<infisical::SecretStore>(
        new OwningStore(std::move(http), std::move(counting), std::move(inner)));
  };
}

RealSystem::RealSystem(metrics::RunCounters* counters) : log_(std::cerr), counters_(counters) {
  TuneMallocForOneShotProcess();
  if (counters_ != nullptr) {
    counting_log_ = std::make_unique<metrics::CountingLogSink>(log_, *counters_);
  }
}

System RealSystem::deps() {
  LogSink& log = counting_log_ ? static_cast<LogSink&>(*counting_log_) : log_;
  return System{clock_, fs_, random_, env_, commands_, log, users_,
                CurlStoreFactory(clock_, random_, env_, log, counters_)};
}

}  // namespace secretsync

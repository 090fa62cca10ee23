// RealSystem's malloc tuning for one-shot processes: after it, the heap's
// next allocations land in the range marked for transparent huge pages, not
// in up to 2 MiB of 4 KiB pages below it (each fault of which costs ~15 us
// on a VM: docs/benchmarks.md, "heap page faults").
#include "lib/app/real_system.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

// The VmFlags of the mapping of /proc/self/smaps that holds `address`.
// (Unused under the sanitizers, whose build skips the one test.)
[[maybe_unused]] std::string VmFlagsOf(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t from = 0, to = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> from >> dash >> to && dash == '-') {
      inside = address >= from && address < to;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

TEST(RealSystemTest, TheFirstAllocationsLandWhereHugePagesWereAskedFor) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers replace malloc: the tuning does not apply to their heap";
#else
  RealSystem real;
  void* block = malloc(1 << 20);  // larger than any block freed before
  ASSERT_NE(block, nullptr);
  const std::string flags = VmFlagsOf(reinterpret_cast<uintptr_t>(block));
  free(block);
  // "hg": MADV_HUGEPAGE. Without the gap block this allocation sat below the
  // first 2 MiB boundary, in a mapping without it.
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
#endif
}

}  // namespace
}  // namespace secretsync

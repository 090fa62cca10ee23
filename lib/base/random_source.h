// RandomSource seam: the OS CSPRNG (getrandom(2)) in main(), fakes in tests.
#ifndef SECRETSYNC_LIB_BASE_RANDOM_SOURCE_H_
#define SECRETSYNC_LIB_BASE_RANDOM_SOURCE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"

namespace secretsync {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills buf[0..len) with cryptographically secure random bytes.
  // Returns Internal if the OS cannot provide them; buf is then unspecified.
  virtual absl::Status Fill(uint8_t* buf, size_t len) = 0;
};

// getrandom(2), retrying on EINTR and short reads; any other error fails loudly.
// Thread-safe.
class OsRandomSource : public RandomSource {
 public:
  absl::Status Fill(uint8_t* buf, size_t len) override;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_RANDOM_SOURCE_H_

// Invariant checks for fuzz targets: abort (a crash libFuzzer records) with a
// message that names the invariant, never the input or a secret.
#ifndef SECRETSYNC_TESTS_FUZZ_FUZZ_CHECK_H_
#define SECRETSYNC_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace fuzz {

// A value planted in secrets; it must never show up in a Status message.
inline constexpr char kCanary[] = "Zq9-FUZZ-CANARY-4e1b";

inline void Check(bool ok, const char* invariant) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", invariant);
  std::abort();
}

// The canary planted as a secret appears in the input itself (the fuzzer
// copies strings it sees): the input is not secret, so a message quoting it
// (e.g. a key the fuzzer named after the canary) proves nothing.
inline bool InputHasCanary(absl::string_view input) { return absl::StrContains(input, kCanary); }

// `status` is OK or its message does not contain `secret`.
inline void CheckMessageFree(const absl::Status& status, absl::string_view secret,
                             const char* invariant) {
  if (status.ok() || secret.empty()) return;
  Check(!absl::StrContains(status.message(), secret), invariant);
}

}  // namespace fuzz
}  // namespace secretsync

#endif  // SECRETSYNC_TESTS_FUZZ_FUZZ_CHECK_H_

// gMock matchers for absl::Status / StatusOr: IsOk(), IsOkAndHolds(m), StatusIs(code, m).
#ifndef SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_
#define SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

// gtest would hex-dump a StatusOr (and with it any secret it holds): print only
// the status. Defined in absl's namespace so argument-dependent lookup finds it.
namespace absl {
ABSL_NAMESPACE_BEGIN
template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  *os << (s.ok() ? "OK (value not printed)" : s.status().ToString());
}
ABSL_NAMESPACE_END
}  // namespace absl

namespace secretsync {
namespace testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) { return s.status(); }

}  // namespace internal

MATCHER(IsOk, "is OK") {
  const absl::Status& s = internal::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(IsOkAndHolds, m, std::string(negation ? "is not OK or holds a value that fails "
                                                          : "is OK and holds a value that matches ") +
                               ::testing::PrintToString(m)) {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(m, *arg, result_listener);
}

MATCHER_P2(StatusIs, code, msg_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(msg_matcher, negation)) {
  const absl::Status& s = internal::GetStatus(arg);
  if (s.code() != code) {
    *result_listener << "status is " << s;
    return false;
  }
  *result_listener << "status is " << s;
  return ::testing::ExplainMatchResult(msg_matcher, std::string(s.message()),
                                       result_listener);
}

}  // namespace testing
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_

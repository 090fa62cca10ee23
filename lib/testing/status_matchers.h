// gMock matchers for absl::Status / StatusOr: IsOk(), IsOkAndHolds(m), StatusIs(code, m).
#ifndef SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_
#define SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_

#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

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

MATCHER_P(IsOkAndHolds, m, "is OK and holds a value that " +
                               ::testing::DescribeMatcher<decltype(*arg)>(m, negation)) {
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
  return ::testing::ExplainMatchResult(msg_matcher, std::string(s.message()),
                                       result_listener);
}

}  // namespace testing
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TESTING_STATUS_MATCHERS_H_

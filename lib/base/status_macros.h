// Status propagation macros and Annotate(), named like abseil's later ones
// (Debian 12's abseil 20220623 has none).
#ifndef SECRETSYNC_LIB_BASE_STATUS_MACROS_H_
#define SECRETSYNC_LIB_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace secretsync {

// Returns `status` with "context: " prepended to its message; the code and
// the payloads (e.g. an exit code) are kept. An OK status is returned unchanged.
inline absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

namespace internal {
inline absl::Status AsStatus(absl::Status s) { return s; }
template <typename T>
absl::Status AsStatus(const absl::StatusOr<T>& s) { return s.status(); }
}  // namespace internal

}  // namespace secretsync

#define SS_STATUS_MACROS_CONCAT_INNER_(x, y) x##y
#define SS_STATUS_MACROS_CONCAT_(x, y) SS_STATUS_MACROS_CONCAT_INNER_(x, y)

// Evaluates `expr` (absl::Status or StatusOr) and returns its status if not OK.
#define SS_RETURN_IF_ERROR(expr)                                              \
  do {                                                                        \
    absl::Status ss_status_ = ::secretsync::internal::AsStatus(expr);         \
    if (!ss_status_.ok()) return ss_status_;                                  \
  } while (0)

// SS_ASSIGN_OR_RETURN(auto x, expr): declares/assigns the value of a StatusOr
// or returns its status.
#define SS_ASSIGN_OR_RETURN(lhs, expr) \
  SS_ASSIGN_OR_RETURN_IMPL_(SS_STATUS_MACROS_CONCAT_(ss_statusor_, __LINE__), lhs, expr)
#define SS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(statusor).value()

#endif  // SECRETSYNC_LIB_BASE_STATUS_MACROS_H_

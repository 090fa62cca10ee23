// The one place that converts between absl::Status and grpc::Status.
#ifndef SECRETSYNC_LIB_BASE_STATUS_CONVERT_H_
#define SECRETSYNC_LIB_BASE_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace secretsync {

// Same code (the two enums share their numbers) and message.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_STATUS_CONVERT_H_

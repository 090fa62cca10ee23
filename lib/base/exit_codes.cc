// Exit codes: mapping from absl::StatusCode and the --help table.
#include "lib/base/exit_codes.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace secretsync {
namespace {
constexpr char kExitCodePayload[] = "secretsync/exit-code";
}  // namespace

absl::Status WithExitCode(absl::Status status, int code) {
  if (!status.ok()) status.SetPayload(kExitCodePayload, absl::Cord(absl::StrCat(code)));
  return status;
}

int ExitCodeFromStatus(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (auto tagged = status.GetPayload(kExitCodePayload)) {
    int code = 0;
    if (absl::SimpleAtoi(std::string(*tagged), &code)) return code;
  }
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kExitDataErr;
    case absl::StatusCode::kNotFound:
      return kExitNoInput;
    case absl::StatusCode::kFailedPrecondition:
      return kExitConfig;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitNoPerm;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
      return kExitTempFail;
    case absl::StatusCode::kDataLoss:
      return kExitIoErr;
    case absl::StatusCode::kAlreadyExists:
      return kExitCantCreate;
    default:
      return kExitSoftware;
  }
}

std::string ExitCodeHelp() {
  return "Exit codes:\n"
         "   0  success\n"
         "  64  usage: bad flags or arguments\n"
         "  65  data: bad template, missing or invalid secret, bad server reply\n"
         "  66  not found: a file, project, environment or secret does not exist\n"
         "  70  internal error (a bug: please report it)\n"
         "  73  cannot create the output file, or it already exists\n"
         "  74  local I/O error\n"
         "  75  temporary: Infisical unavailable, timed out, rate limited, lock busy; retry later\n"
         "  77  authentication or permission refused\n"
         "  78  bad deployment config\n"
         "  79  output written but the on-change command failed\n"
         "  80  a rotation is pending (interrupted or unresolved): run rotate --resume\n"
         "  81  the change was rolled back: the application was unhealthy with it\n";
}

}  // namespace secretsync

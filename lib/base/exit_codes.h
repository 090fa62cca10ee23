// The one exit-code table of every secretsync binary (sysexits-style).
#ifndef SECRETSYNC_LIB_BASE_EXIT_CODES_H_
#define SECRETSYNC_LIB_BASE_EXIT_CODES_H_

#include <string>

#include "absl/status/status.h"

namespace secretsync {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,        // EX_USAGE: bad flags or arguments
  kExitDataErr = 65,      // EX_DATAERR: bad template, invalid secret, missing secret
  kExitNoInput = 66,      // EX_NOINPUT: a file named by the config/flags does not exist
  kExitSoftware = 70,     // EX_SOFTWARE: internal error (a bug: please report it)
  kExitCantCreate = 73,   // EX_CANTCREAT: cannot write the output file
  kExitIoErr = 74,        // EX_IOERR: other local I/O error
  kExitTempFail = 75,     // EX_TEMPFAIL: Infisical unavailable / timed out / lock busy: retry later
  kExitNoPerm = 77,       // EX_NOPERM: authentication or permission refused
  kExitConfig = 78,       // EX_CONFIG: bad deployment config
  kExitOnChangeFailed = 79,  // the .env was written but the on-change command failed
  kExitRotationPending = 80,  // a rotation is pending: run rotate --resume
  kExitRolledBack = 81,   // the change was rolled back: the application was unhealthy with it
};

// Tags `status` with the exit code it must give, for the cases the status
// code alone cannot tell (a FailedPrecondition that is a bad config versus one
// that is a file that is not writable, ...). OK stays OK.
absl::Status WithExitCode(absl::Status status, int code);

// Maps a failed status to an exit code: its WithExitCode tag if any, else by
// status code: InvalidArgument -> 65,
// NotFound -> 66, FailedPrecondition -> 78, Unauthenticated/PermissionDenied -> 77,
// Unavailable/DeadlineExceeded/ResourceExhausted/Aborted -> 75, DataLoss -> 74,
// everything else -> 70. OK -> 0.
int ExitCodeFromStatus(const absl::Status& status);

// The table as text for --help, one "  CODE  meaning" line per code.
std::string ExitCodeHelp();

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_EXIT_CODES_H_

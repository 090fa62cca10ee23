// Reading the dev server's seed/state (text-format DevSeed) and writing the
// state file atomically.
#ifndef SECRETSYNC_LIB_DEVSERVER_STATE_FILE_H_
#define SECRETSYNC_LIB_DEVSERVER_STATE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/devserver.pb.h"

namespace secretsync {
namespace devserver {

// Parses the text-format DevSeed at `path`. NotFound when the file does not
// exist; InvalidArgument "PATH line L column C: ..." on a parse error (the
// message never quotes the file's contents); Internal on other read errors.
absl::StatusOr<secretsync::v1::DevSeed> ReadSeedFile(const std::string& path);

// Writes `state` to `path` atomically: a temp file created 0600 in the same
// folder, written, fsynced, renamed over `path`, then the folder fsynced.
// Internal naming the step on failure; `path` is then unchanged.
absl::Status WriteStateFile(const std::string& path, const secretsync::v1::DevSeed& state);

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_STATE_FILE_H_

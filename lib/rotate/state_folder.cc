// OpenStateFolder; see state_folder.h.
#include "lib/rotate/state_folder.h"

#include "absl/strings/str_cat.h"
#include "lib/auth/credential_source.h"
#include "lib/base/exit_codes.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"

namespace secretsync {
namespace rotate {
namespace {

absl::Status CheckFolder(Filesystem& fs, const std::string& dir) {
  const std::string what = absl::StrCat("rotation state folder ", dir);
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(dir));
  if (!info.exists) {
    absl::Status made = fs.MakeDir(dir, 0700);
    if (!made.ok() && !absl::IsAlreadyExists(made)) return Annotate(made, what);
    SS_ASSIGN_OR_RETURN(info, fs.Stat(dir));
  }
  if (!info.is_dir || info.is_symlink) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": not a folder"));
  }
  if ((info.mode & 0022) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": writable by group or others (chmod 700 ", dir, ")"));
  }
  return auth::CheckRunningUserOwns(info.uid, what, dir);
}

}  // namespace

absl::Status OpenStateFolder(Filesystem& fs, const config::Deployment& d,
                             const std::vector<std::string>& secret_names, LogSink& log) {
  Logger logger(log);
  const std::string dir = config::RotationStateDir(d);
  SS_RETURN_IF_ERROR(CheckFolder(fs, dir));
  for (const std::string& name : secret_names) {
    const std::string journal = config::RotationJournalPath(d, name);
    absl::Status removed = fileio::RemoveStaleTempFiles(fs, journal);
    if (!removed.ok()) logger.Warn("rotate.stale_temp_cleanup").Field("why", removed.message());
    const std::string legacy = config::LegacyRotationJournalPath(d, name);
    SS_ASSIGN_OR_RETURN(FileInfo old, fs.Stat(legacy));
    if (old.exists) {
      return WithExitCode(
          absl::FailedPreconditionError(absl::StrCat(
              "rotation journal ", legacy, " is from an older secretsync, which kept one journal "
              "per folder for every deployment: if it belongs to this deployment (output ",
              d.config.output_path(), "), move it to ", journal,
              " and run rotate --resume; else resume it with its own deployment's config")),
          kExitRotationPending);
    }
  }
  return absl::OkStatus();
}

}  // namespace rotate
}  // namespace secretsync

// Rotation journal: RotationJournalFile (protobuf + SHA-256) via atomic_writer.
#include "lib/rotate/journal.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/status_macros.h"
#include "lib/fileio/atomic_writer.h"

namespace secretsync {
namespace rotate {
namespace {

using ::secretsync::v1::RotationJournal;
using ::secretsync::v1::RotationJournalFile;

constexpr uint32_t kFormatVersion = 1;

void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(&(*s)[0], s->size());
  s->clear();
}

// Wipes the secret fields of a message before it is destroyed.
struct WipeOnExit {
  RotationJournal* msg;
  ~WipeOnExit() {
    Wipe(msg->mutable_old_value());
    Wipe(msg->mutable_new_value());
  }
};

std::string Sha256(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

absl::Status Corrupt(absl::string_view path, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("rotation journal ", path, ": ", why));
}

}  // namespace

absl::Status WriteJournal(Filesystem& fs, absl::string_view path, const Journal& journal) {
  const std::string what = absl::StrCat("write rotation journal ", path);
  if (journal.secret_name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": secret name is empty"));
  }
  if (journal.step == RotationJournal::STEP_UNSPECIFIED ||
      !RotationJournal::Step_IsValid(journal.step)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": step is not set"));
  }
  RotationJournal msg;
  WipeOnExit wipe_msg{&msg};
  msg.set_secret_name(journal.secret_name);
  msg.set_step(journal.step);
  // Expose(): the journal must keep both values to resume or roll back.
  msg.set_old_value(std::string(journal.old_value.Expose()));
  msg.set_new_value(std::string(journal.new_value.Expose()));
  msg.set_started_unix_micros(absl::ToUnixMicros(journal.started));
  msg.set_updated_unix_micros(absl::ToUnixMicros(journal.updated));
  msg.set_strategy(journal.strategy);
  msg.set_active_user(journal.active_user);
  msg.set_target_user(journal.target_user);
  *msg.mutable_health() = journal.health;

  RotationJournalFile file;
  file.set_format_version(kFormatVersion);
  if (!msg.SerializeToString(file.mutable_journal())) {
    Wipe(file.mutable_journal());
    return absl::InternalError(absl::StrCat(what, ": cannot serialize"));
  }
  file.set_sha256(Sha256(file.journal()));
  std::string bytes;
  bool ok = file.SerializeToString(&bytes);
  Wipe(file.mutable_journal());
  SecretValue content(std::move(bytes));
  Wipe(&bytes);
  if (!ok) return absl::InternalError(absl::StrCat(what, ": cannot serialize"));
  if (content.size() > kMaxJournalBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", content.size(), " bytes is more than ", kMaxJournalBytes));
  }
  fileio::WriteOptions opts;
  opts.mode = 0600;
  opts.durable = true;
  return fileio::WriteFileAtomically(fs, path, content, opts);
}

absl::StatusOr<std::optional<Journal>> ReadJournal(Filesystem& fs, absl::string_view path,
                                                   uid_t owner_uid) {
  const std::string where = absl::StrCat("rotation journal ", path);
  SS_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (!info.exists) return std::optional<Journal>();
  if (!info.is_regular) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": not a regular file (a symlink or special file); refusing it"));
  }
  if (info.uid != owner_uid) {
    return absl::FailedPreconditionError(absl::StrCat(where, ": owned by uid ", info.uid,
                                                      ", not by uid ", owner_uid,
                                                      "; refusing it"));
  }
  if ((info.mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: mode %04o lets group or others at it; refusing it (it holds secrets)", where,
        info.mode));
  }
  if (info.size > kMaxJournalBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        where, ": ", info.size, " bytes is more than a journal's ", kMaxJournalBytes));
  }
  SS_ASSIGN_OR_RETURN(std::string bytes, fs.ReadFile(path, kMaxJournalBytes));
  RotationJournalFile file;
  bool parsed = file.ParseFromString(bytes);
  Wipe(&bytes);
  if (!parsed) {
    Wipe(file.mutable_journal());
    return Corrupt(path, "not a journal file (cut or damaged)");
  }
  if (file.format_version() == 0) {
    Wipe(file.mutable_journal());
    return Corrupt(path, "not a journal file (no format version)");
  }
  if (file.format_version() != kFormatVersion) {
    Wipe(file.mutable_journal());
    return absl::FailedPreconditionError(
        absl::StrCat(where, ": format version ", file.format_version(), " is not supported"));
  }
  if (file.sha256() != Sha256(file.journal())) {
    Wipe(file.mutable_journal());
    return Corrupt(path, "checksum mismatch (cut or damaged)");
  }
  RotationJournal msg;
  WipeOnExit wipe_msg{&msg};
  parsed = msg.ParseFromString(file.journal());
  Wipe(file.mutable_journal());
  if (!parsed) return Corrupt(path, "journal does not parse");
  if (msg.secret_name().empty() || msg.step() == RotationJournal::STEP_UNSPECIFIED ||
      !RotationJournal::Step_IsValid(msg.step())) {
    return Corrupt(path, "secret name or step missing");
  }
  Journal journal;
  journal.secret_name = msg.secret_name();
  journal.step = msg.step();
  journal.old_value = SecretValue(std::move(*msg.mutable_old_value()));
  journal.new_value = SecretValue(std::move(*msg.mutable_new_value()));
  journal.started = absl::FromUnixMicros(msg.started_unix_micros());
  journal.updated = absl::FromUnixMicros(msg.updated_unix_micros());
  journal.strategy = msg.strategy();
  journal.active_user = msg.active_user();
  journal.target_user = msg.target_user();
  journal.health = msg.health();
  return std::optional<Journal>(std::move(journal));
}

absl::Status ClearJournal(Filesystem& fs, absl::string_view path) {
  absl::Status s = fs.Unlink(path);
  if (!s.ok() && !absl::IsNotFound(s)) {
    return Annotate(s, absl::StrCat("clear rotation journal ", path));
  }
  return Annotate(fs.SyncDir(DirName(path)), absl::StrCat("clear rotation journal ", path));
}

}  // namespace rotate
}  // namespace secretsync

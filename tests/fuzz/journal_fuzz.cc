// Fuzzes the rotation journal reader (lib/rotate/journal.h ReadJournal) on a
// real 0600 file holding the fuzz input. Invariants: no crash; a file that is
// not a journal is DataLoss (or FailedPrecondition: too big, other version), never OK with garbage; error
// messages never carry the canary (the seed corpus puts it in old_value); a
// journal that reads back, written again with WriteJournal, reads back equal.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/base/filesystem.h"
#include "lib/rotate/journal.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

// One private folder per process, removed at exit.
const std::string& Dir() {
  static const std::string* dir = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(tmp != nullptr ? tmp : "/tmp") + "/journal_fuzz.XXXXXX";
    char* made = mkdtemp(tmpl.data());
    Check(made != nullptr, "cannot create a temporary folder");
    auto* d = new std::string(made);
    std::atexit([] {
      unlink((Dir() + "/journal").c_str());
      unlink((Dir() + "/again").c_str());
      rmdir(Dir().c_str());
    });
    return d;
  }();
  return *dir;
}

void WriteRaw(const std::string& path, absl::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  Check(f != nullptr, "cannot write the input file");
  Check(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), "short write");
  std::fclose(f);
  Check(chmod(path.c_str(), 0600) == 0, "cannot chmod the input file");
}

void FuzzOne(absl::string_view input) {
  RealFilesystem fs;
  const std::string path = Dir() + "/journal";
  WriteRaw(path, input);
  auto read = rotate::ReadJournal(fs, path, getuid());
  CheckMessageFree(read.status(), kCanary, "journal error quotes a secret value");
  if (!read.ok()) {
    // DataLoss for bytes that are not a journal; FailedPrecondition for a
    // file over the size cap or of another format version.
    Check(read.status().code() == absl::StatusCode::kDataLoss ||
              read.status().code() == absl::StatusCode::kFailedPrecondition,
          "a bad journal file is neither DataLoss nor refused");
    return;
  }
  Check(read->has_value(), "an existing journal file read as absent");
  const rotate::Journal& j = **read;
  const std::string again = Dir() + "/again";
  absl::Status w = rotate::WriteJournal(fs, again, j);
  CheckMessageFree(w, kCanary, "journal write error quotes a secret value");
  if (!w.ok()) return;  // e.g. empty name: WriteJournal is stricter than the reader
  auto back = rotate::ReadJournal(fs, again, getuid());
  Check(back.ok() && back->has_value(), "a rewritten journal does not read back");
  const rotate::Journal& b = **back;
  Check(b.secret_name == j.secret_name && b.step == j.step && b.old_value == j.old_value &&
            b.new_value == j.new_value && b.started == j.started && b.updated == j.updated &&
            b.strategy == j.strategy && b.active_user == j.active_user &&
            b.target_user == j.target_user,
        "a rewritten journal reads back differently");
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

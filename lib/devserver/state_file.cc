// Text-format DevSeed I/O: parsing with positions (never quoting input), and
// crash-safe writes through lib/fileio (temp file 0600, fsync, rename).
#include "lib/devserver/state_file.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "lib/base/filesystem.h"
#include "lib/fileio/atomic_writer.h"

namespace secretsync {
namespace devserver {
namespace {

constexpr size_t kMaxStateBytes = 256 << 20;  // 10,000s of secrets fit many times

// Keeps the first error; drops protobuf's quoted excerpt of the input, which
// could be part of a secret value.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!error_.empty()) return;
    std::string reason = message.substr(0, message.find('"'));
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == ',')) reason.pop_back();
    error_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", reason);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

absl::StatusOr<secretsync::v1::DevSeed> ReadSeedFile(const std::string& path) {
  static RealFilesystem* const fs = new RealFilesystem;
  auto text = fs->ReadFile(path, kMaxStateBytes);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("seed file ", path, ": does not exist"));
  }
  if (!text.ok()) return text.status();
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  secretsync::v1::DevSeed seed;
  if (!parser.ParseFromString(*text, &seed)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " ", errors.error()));
  }
  return seed;
}

absl::Status WriteStateFile(const std::string& path, const secretsync::v1::DevSeed& state) {
  static RealFilesystem* const fs = new RealFilesystem;
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(state, &text)) {
    return absl::InternalError(absl::StrCat("serialize state for ", path));
  }
  return fileio::WriteFileAtomically(*fs, path, text, fileio::WriteOptions{});
}

}  // namespace devserver
}  // namespace secretsync

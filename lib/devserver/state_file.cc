// Text-format DevSeed I/O with POSIX calls (no Filesystem seam exists in
// lib/base yet; this is the one writer of the dev server's state).
#include "lib/devserver/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace secretsync {
namespace devserver {
namespace {

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

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<secretsync::v1::DevSeed> ReadSeedFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT)
      return absl::NotFoundError(absl::StrCat("seed file ", path, ": does not exist"));
    return Errno("open", path);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Errno("read", path);
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  secretsync::v1::DevSeed seed;
  if (!parser.ParseFromString(buffer.str(), &seed)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " ", errors.error()));
  }
  return seed;
}

absl::Status WriteStateFile(const std::string& path, const secretsync::v1::DevSeed& state) {
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(state, &text)) {
    return absl::InternalError(absl::StrCat("serialize state for ", path));
  }
  std::string dir = ".";
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string temp = absl::StrCat(path, ".tmpXXXXXX");
  int fd = ::mkstemp(temp.data());  // mkstemp creates 0600
  if (fd < 0) return Errno("create temp file for", path);
  bool renamed = false;
  absl::Cleanup cleanup = [&] {
    if (fd >= 0) ::close(fd);
    if (!renamed) ::unlink(temp.c_str());
  };
  if (absl::Status s = WriteAll(fd, text, temp); !s.ok()) return s;
  if (::fsync(fd) != 0) return Errno("fsync", temp);
  if (::close(fd) != 0) {
    fd = -1;
    return Errno("close", temp);
  }
  fd = -1;
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename onto", path);
  renamed = true;
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Errno("open folder of", path);
  int rc = ::fsync(dir_fd);
  ::close(dir_fd);
  if (rc != 0) return Errno("fsync folder of", path);
  return absl::OkStatus();
}

}  // namespace devserver
}  // namespace secretsync

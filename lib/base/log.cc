// Log sinks and the one-line event formatter.
#include "lib/base/log.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace secretsync {
namespace {

// Values with spaces, quotes or '=' are quoted so a line stays machine-parseable.
std::string QuoteIfNeeded(absl::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '"' || c == '=' ||
        !absl::ascii_isprint(static_cast<unsigned char>(c))) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

void StreamLogSink::Write(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  out_ << line << '\n';
  out_.flush();
}

void CapturingLogSink::Write(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  lines_.emplace_back(line);
}

std::vector<std::string> CapturingLogSink::lines() const {
  absl::MutexLock lock(&mu_);
  return lines_;
}

std::string CapturingLogSink::Joined() const {
  absl::MutexLock lock(&mu_);
  return absl::StrJoin(lines_, "\n");
}

LogEvent::LogEvent(LogSink& sink, char level, absl::string_view event)
    : sink_(sink), line_(absl::StrCat(std::string(1, level), " ", event)) {}

LogEvent::~LogEvent() { sink_.Write(line_); }

LogEvent& LogEvent::Field(absl::string_view key, absl::string_view value) {
  absl::StrAppend(&line_, " ", key, "=", QuoteIfNeeded(value));
  return *this;
}

LogEvent& LogEvent::Field(absl::string_view key, long long value) {
  absl::StrAppend(&line_, " ", key, "=", value);
  return *this;
}

}  // namespace secretsync

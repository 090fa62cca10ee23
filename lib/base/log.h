// Structured one-line logging to stderr (journald/cron friendly), injectable sink.
#ifndef SECRETSYNC_LIB_BASE_LOG_H_
#define SECRETSYNC_LIB_BASE_LOG_H_

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace secretsync {

// Receives finished log lines (without the trailing newline).
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(absl::string_view line) = 0;
};

// Writes lines to a stream (stderr in main). Thread-safe.
class StreamLogSink : public LogSink {
 public:
  explicit StreamLogSink(std::ostream& out) : out_(out) {}
  void Write(absl::string_view line) override;

 private:
  absl::Mutex mu_;
  std::ostream& out_;
};

// Keeps lines in memory, for tests. Thread-safe.
class CapturingLogSink : public LogSink {
 public:
  void Write(absl::string_view line) override;
  std::vector<std::string> lines() const;
  std::string Joined() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_;
};

// Discards everything.
class NullLogSink : public LogSink {
 public:
  void Write(absl::string_view) override {}
};

// One event: `Logger(sink).Info("sync.rendered").Field("path", p).Field("ms", 84)`
// writes "I sync.rendered path=/opt/x/.env ms=84" when destroyed. Log names,
// counts, codes and durations only: never secret values (SecretValue does not
// convert, so Field() cannot take one).
class LogEvent {
 public:
  LogEvent(LogSink& sink, char level, absl::string_view event);
  LogEvent(const LogEvent&) = delete;
  LogEvent& operator=(const LogEvent&) = delete;
  ~LogEvent();
  LogEvent& Field(absl::string_view key, absl::string_view value);
  LogEvent& Field(absl::string_view key, long long value);

 private:
  LogSink& sink_;
  std::string line_;
};

class Logger {
 public:
  explicit Logger(LogSink& sink) : sink_(sink) {}
  LogEvent Info(absl::string_view event) const { return LogEvent(sink_, 'I', event); }
  LogEvent Warn(absl::string_view event) const { return LogEvent(sink_, 'W', event); }
  LogEvent Error(absl::string_view event) const { return LogEvent(sink_, 'E', event); }
  LogSink& sink() const { return sink_; }

 private:
  LogSink& sink_;
};

}  // namespace secretsync

#endif  // SECRETSYNC_LIB_BASE_LOG_H_

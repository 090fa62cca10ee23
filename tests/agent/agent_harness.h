// Test harness: a test PKI made with the openssl CLI, an agent served by
// RunAgent on a thread over any SyncService, and clients for it.
#ifndef SECRETSYNC_TESTS_AGENT_AGENT_HARNESS_H_
#define SECRETSYNC_TESTS_AGENT_AGENT_HARNESS_H_

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <sstream>
#include <chrono>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "lib/agent/agent_command.h"
#include "lib/agent/sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "proto/agent.grpc.pb.h"

namespace secretsync {
namespace agent {
namespace testing {

// Runs tests/agent/make_certs.sh into a fresh folder under TEST_TMPDIR and
// returns the folder ("<dir>/client.pem" ...).
std::string MakeTestPki();

// Reads a whole file (test helper; aborts the test on error via ADD_FAILURE).
std::string ReadTestFile(const std::string& path);
void WriteTestFile(const std::string& path, const std::string& text);

// A call deadline far enough away for a loaded machine (20 s from now).
inline std::chrono::system_clock::time_point Soon() {
  return std::chrono::system_clock::now() + std::chrono::seconds(20);
}

// A log sink on std::mutex (TSan cannot see Debian's absl::Mutex).
class LinesSink : public LogSink {
 public:
  void Write(absl::string_view line) override;
  std::string text() const;

 private:
  mutable std::mutex mu_;
  std::string text_;
};

// Events a test pushes: reload, terminate.
class QueueEvents : public AgentEvents {
 public:
  void Push(AgentEvent e);
  AgentEvent Next() override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<AgentEvent> events_;
};

// An agent on 127.0.0.1:0 running RunAgent on its own thread.
class InProcessAgent {
 public:
  // Starts it and waits until it listens or RunAgent returns.
  InProcessAgent(AgentOptions options, SyncService& service);
  ~InProcessAgent();  // Stop()s if still running
  bool listening() const { return port_ > 0; }
  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  void Reload() { events_.Push(AgentEvent::kReload); }
  // Sends terminate, waits for RunAgent and returns its exit code.
  int Stop();
  std::string log() const { return log_.text(); }
  std::string err() const;

 private:
  RealClock clock_;
  RealFilesystem fs_;
  LinesSink log_;
  QueueEvents events_;
  std::ostringstream out_, err_;
  std::mutex mu_;
  std::condition_variable cv_;
  int port_ = 0;
  bool returned_ = false;
  int exit_code_ = -1;
  std::thread thread_;
};

// Options for an mTLS agent with the test PKI, allowing the "client" SANs.
AgentOptions MtlsOptions(const std::string& pki);

// A stub over TLS with the test CA as root; `cert` is "client", "intruder",
// "stranger" or "" (no client certificate).
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& target, const std::string& pki,
                                         const std::string& cert);
std::unique_ptr<secretsync::v1::Agent::Stub> TlsStub(const std::string& target,
                                                     const std::string& pki,
                                                     const std::string& cert);
std::unique_ptr<secretsync::v1::Agent::Stub> PlaintextStub(const std::string& target);

}  // namespace testing
}  // namespace agent
}  // namespace secretsync

#endif  // SECRETSYNC_TESTS_AGENT_AGENT_HARNESS_H_

// Agent test harness implementation.
#include "tests/agent/agent_harness.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <utility>

#include "gtest/gtest.h"

namespace secretsync {
namespace agent {
namespace testing {

std::string MakeTestPki() {
  static std::atomic<int> n{0};
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/pki" + std::to_string(++n);
  std::string cmd = "bash tests/agent/make_certs.sh '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "make_certs.sh failed";
  return dir;
}

std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteTestFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

void LinesSink::Write(absl::string_view line) {
  std::lock_guard<std::mutex> l(mu_);
  text_.append(line.data(), line.size()).append("\n");
}

std::string LinesSink::text() const {
  std::lock_guard<std::mutex> l(mu_);
  return text_;
}

void QueueEvents::Push(AgentEvent e) {
  std::lock_guard<std::mutex> l(mu_);
  events_.push_back(e);
  cv_.notify_all();
}

AgentEvent QueueEvents::Next() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !events_.empty(); });
  AgentEvent e = events_.front();
  events_.pop_front();
  return e;
}

InProcessAgent::InProcessAgent(AgentOptions options, SyncService& service) {
  options.listen = "127.0.0.1:0";
  thread_ = std::thread([this, options, &service] {
    AgentDeps deps{fs_, clock_, log_, events_, [this](int port) {
                     std::lock_guard<std::mutex> l(mu_);
                     port_ = port;
                     cv_.notify_all();
                   }};
    int code = RunAgent(options, deps, service, out_, err_);
    std::lock_guard<std::mutex> l(mu_);
    exit_code_ = code;
    returned_ = true;
    cv_.notify_all();
  });
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return port_ > 0 || returned_; });
}

InProcessAgent::~InProcessAgent() { Stop(); }

int InProcessAgent::Stop() {
  if (thread_.joinable()) {
    bool returned;
    {
      std::lock_guard<std::mutex> l(mu_);
      returned = returned_;
    }
    if (!returned) events_.Push(AgentEvent::kTerminate);
    thread_.join();
  }
  return exit_code_;
}

std::string InProcessAgent::err() const {
  std::lock_guard<std::mutex> l(const_cast<std::mutex&>(mu_));
  return returned_ ? err_.str() : std::string();
}

AgentOptions MtlsOptions(const std::string& pki) {
  AgentOptions o;
  o.tls_cert_file = pki + "/server.pem";
  o.tls_key_file = pki + "/server.key";
  o.client_ca_file = pki + "/ca.pem";
  o.allowed_sans = {"spiffe://corp/central"};
  o.rate_per_minute = 6000;
  o.rate_burst = 2000;
  return o;
}

std::unique_ptr<secretsync::v1::Agent::Stub> TlsStub(const std::string& target,
                                                     const std::string& pki,
                                                     const std::string& cert) {
  return secretsync::v1::Agent::NewStub(TlsChannel(target, pki, cert));
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& target, const std::string& pki,
                                         const std::string& cert) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = ReadTestFile(pki + "/ca.pem");
  if (!cert.empty()) {
    o.pem_private_key = ReadTestFile(pki + "/" + cert + ".key");
    o.pem_cert_chain = ReadTestFile(pki + "/" + cert + ".pem");
  }
  grpc::ChannelArguments args;
  args.SetInt("grpc.use_local_subchannel_pool", 1);  // no connection shared between stubs
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(o), args);
}

std::unique_ptr<secretsync::v1::Agent::Stub> PlaintextStub(const std::string& target) {
  return secretsync::v1::Agent::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

}  // namespace testing
}  // namespace agent
}  // namespace secretsync

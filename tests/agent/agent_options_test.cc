// The agent's start-up and reload rules over real TCP on 127.0.0.1: the
// allowed-SANs checks, reflection off unless asked for, the thread cap flag
// and separate rate-limit buckets for Sync and GetStatus.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "tests/agent/agent_harness.h"

namespace secretsync {
namespace agent {
namespace {

using ::secretsync::agent::testing::InProcessAgent;
using ::secretsync::agent::testing::MakeTestPki;
using ::secretsync::agent::testing::MtlsOptions;
using ::secretsync::agent::testing::Soon;
using ::secretsync::agent::testing::TlsChannel;
using ::secretsync::agent::testing::TlsStub;
using ::secretsync::agent::testing::WriteTestFile;
using secretsync::v1::SyncReport;

grpc::Status CallSync(secretsync::v1::Agent::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  SyncReport reply;
  return stub.Sync(&ctx, secretsync::v1::SyncRequest(), &reply);
}

grpc::Status CallStatus(secretsync::v1::Agent::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  secretsync::v1::GetStatusReply reply;
  return stub.GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &reply);
}

// One ServerReflectionInfo exchange (list_services) sent as a unary call:
// one message each way is valid on the wire for a bidi-streaming method.
grpc::Status CallReflection(std::shared_ptr<grpc::Channel> channel, std::string* reply) {
  grpc::GenericStub stub(std::move(channel));
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  grpc::CompletionQueue cq;
  const char list_services[] = "\x3a\x00";
  grpc::Slice slice(list_services, 2);
  grpc::ByteBuffer request(&slice, 1), response;
  auto call = stub.PrepareUnaryCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", request, &cq);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  std::vector<grpc::Slice> slices;
  if (status.ok() && response.Dump(&slices).ok()) {
    for (const auto& s : slices) reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

class AgentOptionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new std::string(MakeTestPki()); }
  const std::string& pki() { return *pki_; }
  int RunToExit(const AgentOptions& opts, std::string* err_text) {
    RealFilesystem fs;
    RealClock clock;
    testing::LinesSink log;
    testing::QueueEvents events;
    events.Push(AgentEvent::kTerminate);  // should it start anyway, it stops at once
    std::ostringstream out, err;
    const int code = RunAgent(opts, {fs, clock, log, events, nullptr}, service_, out, err);
    *err_text = err.str();
    return code;
  }
  static std::string* pki_;
  FakeSyncService service_{{"web", "worker"}};
};
std::string* AgentOptionsTest::pki_ = nullptr;

TEST_F(AgentOptionsTest, EmptyOrSpacePaddedAllowedSansAreRefusedAtStart) {
  for (const std::vector<std::string>& sans : std::vector<std::vector<std::string>>{
           {"spiffe://corp/central", ""}, {" spiffe://corp/central"}, {"central "}}) {
    AgentOptions opts = MtlsOptions(pki());
    opts.allowed_sans = sans;
    std::string err;
    EXPECT_EQ(RunToExit(opts, &err), 64) << err;
    EXPECT_NE(err.find("SAN"), std::string::npos) << err;
  }
  AgentOptions plain;
  plain.insecure_loopback_plaintext = true;
  plain.listen = "127.0.0.1:0";
  plain.allowed_sans = {"central.example", ""};  // the flag "central.example,"
  std::string err;
  EXPECT_EQ(RunToExit(plain, &err), 64) << err;
  EXPECT_NE(err.find("SAN"), std::string::npos) << err;

  const std::string file = pki() + "/padded-sans";
  WriteTestFile(file, "# callers\n\nspiffe://corp/central \n");
  AgentOptions from_file = MtlsOptions(pki());
  from_file.allowed_sans_file = file;
  EXPECT_EQ(RunToExit(from_file, &err), 64) << err;
  EXPECT_NE(err.find("padded-sans line 3"), std::string::npos) << err;
  EXPECT_EQ(service_.runs(), 0);
}

TEST_F(AgentOptionsTest, ReloadOfABadAllowedSansFileKeepsTheOldList) {
  const std::string file = pki() + "/reload-sans";
  WriteTestFile(file, "# callers\n\nspiffe://corp/central\n");
  AgentOptions opts = MtlsOptions(pki());
  opts.allowed_sans.clear();
  opts.allowed_sans_file = file;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  ASSERT_TRUE(CallSync(*stub).ok());

  WriteTestFile(file, " spiffe://corp/elsewhere\n");
  agent.Reload();
  for (int i = 0; i < 500 && agent.log().find("agent.reload") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(agent.log().find("agent.reload_failed"), std::string::npos) << agent.log();
  EXPECT_NE(agent.log().find("SAN"), std::string::npos) << agent.log();
  grpc::Status s = CallSync(*stub);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AgentOptionsTest, ReflectionIsServedOnlyWithTheFlag) {
  {
    InProcessAgent agent(MtlsOptions(pki()), service_);
    ASSERT_TRUE(agent.listening()) << agent.err();
    std::string reply;
    grpc::Status s = CallReflection(TlsChannel(agent.target(), pki(), "client"), &reply);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << s.error_message();
  }
  AgentOptions opts = MtlsOptions(pki());
  opts.reflection = true;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  std::string reply;
  grpc::Status s = CallReflection(TlsChannel(agent.target(), pki(), "client"), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(reply.find("secretsync.v1.Agent"), std::string::npos);
}

TEST_F(AgentOptionsTest, TooFewThreadsIsAUsageError) {
  AgentOptions opts = MtlsOptions(pki());
  opts.max_threads = 2;
  std::string err;
  EXPECT_EQ(RunToExit(opts, &err), 64);
  EXPECT_NE(err.find("--max_threads"), std::string::npos) << err;
}

TEST_F(AgentOptionsTest, SyncAndGetStatusHaveTheirOwnRateLimitBuckets) {
  AgentOptions opts = MtlsOptions(pki());
  opts.rate_per_minute = 0.001;
  opts.rate_burst = 2;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  // A GetStatus flood empties the status bucket only.
  EXPECT_TRUE(CallStatus(*stub).ok());
  EXPECT_TRUE(CallStatus(*stub).ok());
  EXPECT_EQ(CallStatus(*stub).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(CallSync(*stub).ok());
  EXPECT_TRUE(CallSync(*stub).ok());
  EXPECT_EQ(CallSync(*stub).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(service_.runs(), 2);
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

// The health check's outcome through the agent (issue 17): the Sync reply
// carries the report's HealthReport unchanged for the caller that triggered
// the sync, for callers coalesced into it and for a repeated request id, and
// GetStatus shows each deployment's last outcome.
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
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
using ::secretsync::agent::testing::TlsStub;
using secretsync::v1::HealthReport;
using secretsync::v1::SyncReport;
using secretsync::v1::SyncRequest;

HealthReport Health(secretsync::v1::HealthOutcome outcome, const std::string& detail) {
  HealthReport h;
  h.set_outcome(outcome);
  h.set_check("GET http://127.0.0.1:8000/_health/");
  h.set_detail(detail);
  h.set_attempts(3);
  h.set_healthy_after_rollback(outcome == secretsync::v1::UNHEALTHY_ROLLED_BACK);
  return h;
}

grpc::Status CallSync(secretsync::v1::Agent::Stub& stub, SyncReport* reply,
                      const std::string& request_id = "") {
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  SyncRequest req;
  req.set_request_id(request_id);
  return stub.Sync(&ctx, req, reply);
}

secretsync::v1::DeploymentStatus WebStatus(secretsync::v1::Agent::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  secretsync::v1::GetStatusReply st;
  EXPECT_TRUE(stub.GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &st).ok());
  return st.deployments_size() > 0 ? st.deployments(0) : secretsync::v1::DeploymentStatus();
}

class AgentHealthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new std::string(MakeTestPki()); }
  const std::string& pki() { return *pki_; }
  static std::string* pki_;
  FakeSyncService service_{{"web", "worker"}};
};
std::string* AgentHealthTest::pki_ = nullptr;

TEST_F(AgentHealthTest, HealthyReportReachesTheCallerTheRequestCacheAndGetStatus) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  EXPECT_EQ(WebStatus(*stub).last_health(), secretsync::v1::HEALTH_NOT_CHECKED);
  service_.SetHealth(Health(secretsync::v1::HEALTHY, ""));
  SyncReport first, again;
  ASSERT_TRUE(CallSync(*stub, &first, "deploy-7").ok());
  EXPECT_EQ(first.health().outcome(), secretsync::v1::HEALTHY);
  EXPECT_EQ(first.health().check(), "GET http://127.0.0.1:8000/_health/");
  EXPECT_EQ(first.health().attempts(), 3);
  // The repeated id is answered from the cache, health included.
  ASSERT_TRUE(CallSync(*stub, &again, "deploy-7").ok());
  EXPECT_EQ(service_.runs(), 1);
  EXPECT_EQ(again.health().SerializeAsString(), first.health().SerializeAsString());
  const secretsync::v1::DeploymentStatus st = WebStatus(*stub);
  EXPECT_EQ(st.last_health(), secretsync::v1::HEALTHY);
  EXPECT_EQ(st.last_exit_code(), 0);
  const std::string canary = FakeSyncService::kCanary;
  EXPECT_EQ(first.SerializeAsString().find(canary), std::string::npos);
  EXPECT_EQ(st.SerializeAsString().find(canary), std::string::npos);
}

TEST_F(AgentHealthTest, RolledBackReportReachesEveryCoalescedCallerAndGetStatus) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  service_.SetExitCode(81);
  service_.SetHealth(Health(secretsync::v1::UNHEALTHY_ROLLED_BACK, "status 500 (want 200)"));
  service_.Hold();
  grpc::CompletionQueue cq;
  struct Call {
    grpc::ClientContext ctx;
    SyncReport reply;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<SyncReport>> rpc;
  };
  std::vector<std::unique_ptr<Call>> calls;
  auto start = [&] {
    auto c = std::make_unique<Call>();
    c->ctx.set_deadline(Soon());
    c->rpc = stub->AsyncSync(&c->ctx, SyncRequest(), &cq);
    c->rpc->Finish(&c->reply, &c->status, c.get());
    calls.push_back(std::move(c));
  };
  start();
  service_.AwaitRunning(1);
  start();
  start();
  // Both later callers wait for one follow-up sync.
  int queued = 0;
  for (int i = 0; i < 2000 && queued < 2; ++i) {
    queued = WebStatus(*stub).queued();
    if (queued < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(queued, 2);
  service_.Release();
  for (size_t i = 0; i < calls.size(); ++i) {
    void* tag;
    bool fine;
    ASSERT_TRUE(cq.Next(&tag, &fine));
    Call* c = static_cast<Call*>(tag);
    ASSERT_TRUE(c->status.ok()) << c->status.error_message();
    EXPECT_EQ(c->reply.exit_code(), 81);
    EXPECT_EQ(c->reply.health().outcome(), secretsync::v1::UNHEALTHY_ROLLED_BACK);
    EXPECT_EQ(c->reply.health().detail(), "status 500 (want 200)");
    EXPECT_TRUE(c->reply.health().healthy_after_rollback());
  }
  cq.Shutdown();
  EXPECT_EQ(service_.runs(), 2);
  secretsync::v1::DeploymentStatus st = WebStatus(*stub);
  EXPECT_EQ(st.last_health(), secretsync::v1::UNHEALTHY_ROLLED_BACK);
  EXPECT_EQ(st.last_exit_code(), 81);
  EXPECT_EQ(st.last_success_unix_ms(), 0);
  // A later sync that checks nothing replaces the outcome.
  service_.SetExitCode(0);
  service_.SetHealth(HealthReport());
  SyncReport reply;
  ASSERT_TRUE(CallSync(*stub, &reply).ok());
  EXPECT_EQ(reply.health().outcome(), secretsync::v1::HEALTH_NOT_CHECKED);
  EXPECT_EQ(WebStatus(*stub).last_health(), secretsync::v1::HEALTH_NOT_CHECKED);
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

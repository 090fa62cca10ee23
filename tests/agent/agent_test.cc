// The agent over real TCP on 127.0.0.1 with certificates made by the openssl
// CLI: the auth matrix, single flight, request ids, rate limit, status,
// health outcomes in replies and status, reload, shutdown, and no canary in
// any reply or log.
#include <grpcpp/client_context.h>
#include <grpcpp/completion_queue.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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
using ::secretsync::agent::testing::PlaintextStub;
using ::secretsync::agent::testing::TlsStub;
using ::secretsync::agent::testing::WriteTestFile;
using secretsync::v1::SyncReport;
using secretsync::v1::SyncRequest;

constexpr char kToken[] = "CANARY-bearer-token-4c1e";

grpc::Status CallSync(secretsync::v1::Agent::Stub& stub, SyncReport* reply,
                      const std::string& token = "", const std::string& request_id = "") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  SyncRequest req;
  req.set_request_id(request_id);
  return stub.Sync(&ctx, req, reply);
}

// The Threads: line of /proc/self/status.
int ProcessThreads() {
  const std::string status = testing::ReadTestFile("/proc/self/status");
  const size_t at = status.find("Threads:");
  return at == std::string::npos ? -1 : std::atoi(status.c_str() + at + 8);
}

// Asserts neither canary is in `text`.
void ExpectNoCanary(const std::string& text, const std::string& where) {
  EXPECT_EQ(text.find(FakeSyncService::kCanary), std::string::npos) << where;
  EXPECT_EQ(text.find(kToken), std::string::npos) << where;
}

secretsync::v1::HealthReport Health(secretsync::v1::HealthOutcome outcome,
                                    const std::string& detail) {
  secretsync::v1::HealthReport h;
  h.set_outcome(outcome);
  h.set_check("GET http://127.0.0.1:8000/_health/");
  h.set_detail(detail);
  h.set_attempts(3);
  h.set_healthy_after_rollback(outcome == secretsync::v1::UNHEALTHY_ROLLED_BACK);
  return h;
}

secretsync::v1::DeploymentStatus WebStatus(secretsync::v1::Agent::Stub& stub) {
  grpc::ClientContext ctx;
  ctx.set_deadline(testing::Soon());
  secretsync::v1::GetStatusReply st;
  EXPECT_TRUE(stub.GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &st).ok());
  return st.deployments_size() > 0 ? st.deployments(0) : secretsync::v1::DeploymentStatus();
}

class AgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new std::string(MakeTestPki()); }
  const std::string& pki() { return *pki_; }
  static std::string* pki_;
  FakeSyncService service_{{"web", "worker"}};
};
std::string* AgentTest::pki_ = nullptr;

TEST_F(AgentTest, RightCertificateSyncsAndTheReplyHasNamesOnly) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  SyncReport reply;
  grpc::Status s = CallSync(*TlsStub(agent.target(), pki(), "client"), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << agent.log();
  EXPECT_EQ(reply.output_path(), "/srv/web/.env");
  ASSERT_EQ(reply.changed_size(), 1);
  EXPECT_EQ(reply.changed(0), "DATABASE_PASSWORD");
  EXPECT_EQ(service_.runs(), 1);
  ExpectNoCanary(reply.SerializeAsString(), "reply");
  EXPECT_EQ(agent.Stop(), 0);
  ExpectNoCanary(agent.log(), "log");
  EXPECT_NE(agent.log().find("caller=spiffe://corp/central"), std::string::npos) << agent.log();
}

TEST_F(AgentTest, CallersWithoutAnAcceptableCertificateAreRefusedAndNothingRuns) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  SyncReport reply;
  // No certificate / another CA: refused at the TLS handshake.
  grpc::Status none = CallSync(*TlsStub(agent.target(), pki(), ""), &reply);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAVAILABLE) << none.error_message();
  grpc::Status stranger = CallSync(*TlsStub(agent.target(), pki(), "stranger"), &reply);
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAVAILABLE) << stranger.error_message();
  // Plaintext against TLS.
  grpc::Status plain = CallSync(*PlaintextStub(agent.target()), &reply);
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  // A valid certificate whose SAN is not on the allow-list.
  grpc::Status intruder = CallSync(*TlsStub(agent.target(), pki(), "intruder"), &reply);
  EXPECT_EQ(intruder.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(intruder.error_message(), "permission denied");
  EXPECT_EQ(service_.runs(), 0);
  agent.Stop();
  EXPECT_NE(agent.log().find("agent.refused rpc=Sync"), std::string::npos) << agent.log();
}

TEST_F(AgentTest, TokenIsRequiredWhenConfiguredAndReloadedOnSighup) {
  const std::string token_file = pki() + "/token";
  WriteTestFile(token_file, std::string(kToken) + "\n");
  AgentOptions opts = MtlsOptions(pki());
  opts.token_file = token_file;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  SyncReport reply;
  for (const std::string& wrong : {std::string(), std::string("nope"), std::string(kToken) + "x"}) {
    grpc::Status s = CallSync(*stub, &reply, wrong);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(s.error_message(), "unauthenticated");
  }
  EXPECT_EQ(service_.runs(), 0);
  ASSERT_TRUE(CallSync(*stub, &reply, kToken).ok());
  EXPECT_EQ(service_.runs(), 1);

  WriteTestFile(token_file, "CANARY-bearer-token-rotated\n");
  agent.Reload();
  // The reload is asynchronous: wait until the old token stops working.
  grpc::Status s;
  for (int i = 0; i < 200; ++i) {
    s = CallSync(*stub, &reply, kToken);
    if (!s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(CallSync(*stub, &reply, "CANARY-bearer-token-rotated").ok());
  agent.Stop();
  ExpectNoCanary(agent.log(), "log");
  EXPECT_EQ(agent.log().find("CANARY-bearer-token-rotated"), std::string::npos);
}

TEST_F(AgentTest, ClientCaIsReReadWithoutDroppingOpenConnections) {
  // The agent first trusts other-ca (so "stranger" is in, "client" is out),
  // then its CA file is replaced with ca.pem.
  const std::string ca_file = pki() + "/reloaded-ca.pem";
  WriteTestFile(ca_file, testing::ReadTestFile(pki() + "/other-ca.pem"));
  AgentOptions opts = MtlsOptions(pki());
  opts.client_ca_file = ca_file;
  opts.tls_reload_seconds = 1;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  // The server certificate is signed by ca.pem, which the client trusts.
  auto open = TlsStub(agent.target(), pki(), "stranger");
  SyncReport reply;
  ASSERT_TRUE(CallSync(*open, &reply).ok());
  EXPECT_FALSE(CallSync(*TlsStub(agent.target(), pki(), "client"), &reply).ok());

  WriteTestFile(ca_file, testing::ReadTestFile(pki() + "/ca.pem"));
  grpc::Status s;
  for (int i = 0; i < 100; ++i) {  // gRPC's file watcher re-reads every second
    s = CallSync(*TlsStub(agent.target(), pki(), "client"), &reply);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
  // A new connection with the old CA's certificate is refused; the one opened
  // before the reload still works.
  EXPECT_FALSE(CallSync(*TlsStub(agent.target(), pki(), "stranger"), &reply).ok());
  grpc::Status still = CallSync(*open, &reply);
  EXPECT_TRUE(still.ok()) << still.error_message();
}

TEST_F(AgentTest, ThousandConcurrentSyncsRunAtMostTwiceAndAllGetAReport) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  service_.Hold();
  constexpr int kCalls = 1000;
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
    c->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    c->rpc = stub->AsyncSync(&c->ctx, SyncRequest(), &cq);
    c->rpc->Finish(&c->reply, &c->status, c.get());
    calls.push_back(std::move(c));
  };
  start();
  service_.AwaitRunning(1);
  for (int i = 1; i < kCalls; ++i) start();
  // Wait until every other call waits for the follow-up sync.
  int queued = 0;
  for (int i = 0; i < 6000 && queued < kCalls - 1; ++i) {
    grpc::ClientContext ctx;
    secretsync::v1::GetStatusReply st;
    if (stub->GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &st).ok()) {
      queued = st.deployments(0).queued();
      EXPECT_TRUE(st.deployments(0).running());
    }
    if (queued < kCalls - 1) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(queued, kCalls - 1);
  // Waiting callers hold no thread (callback API): this process, client and
  // server, stays far below one thread per caller.
  const int threads = ProcessThreads();
  std::fprintf(stderr, "threads with %d callers waiting: %d\n", kCalls, threads);
  EXPECT_LT(threads, 64);
  service_.Release();
  int ok = 0;
  for (int i = 0; i < kCalls; ++i) {
    void* tag;
    bool fine;
    ASSERT_TRUE(cq.Next(&tag, &fine));
    Call* c = static_cast<Call*>(tag);
    if (c->status.ok() && c->reply.output_path() == "/srv/web/.env") ++ok;
  }
  EXPECT_EQ(ok, kCalls);
  EXPECT_LE(service_.runs(), 2);
  EXPECT_EQ(service_.runs(), 2);
  cq.Shutdown();
}

TEST_F(AgentTest, CallerPastItsDeadlineLeavesAndItsFollowUpNeverRuns) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  service_.Hold();
  SyncReport first_reply;
  grpc::Status first;
  std::thread a([&] { first = CallSync(*stub, &first_reply); });
  service_.AwaitRunning(1);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    SyncReport reply;
    EXPECT_EQ(stub->Sync(&ctx, SyncRequest(), &reply).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // The agent lets the caller go (gRPC's cancellation), so nobody waits.
  int queued = -1;
  for (int i = 0; i < 500 && queued != 0; ++i) {
    grpc::ClientContext ctx;
    secretsync::v1::GetStatusReply st;
    if (stub->GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &st).ok()) {
      queued = st.deployments(0).queued();
    }
    if (queued != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(queued, 0);
  service_.Release();
  a.join();
  EXPECT_TRUE(first.ok()) << first.error_message();
  // A new call after the first ended runs one sync: no follow-up ran for the
  // caller that left, so the total is 2, not 3.
  SyncReport reply;
  ASSERT_TRUE(CallSync(*stub, &reply).ok());
  EXPECT_EQ(service_.runs(), 2);
}

TEST_F(AgentTest, RepeatedRequestIdGetsTheEarlierReportWithoutASync) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  SyncReport first, again;
  ASSERT_TRUE(CallSync(*stub, &first, "", "deploy-42").ok());
  ASSERT_TRUE(CallSync(*stub, &again, "", "deploy-42").ok());
  EXPECT_EQ(service_.runs(), 1);
  EXPECT_EQ(first.SerializeAsString(), again.SerializeAsString());
}

TEST_F(AgentTest, CallsOverTheRateLimitAreRefusedAndRunNothing) {
  AgentOptions opts = MtlsOptions(pki());
  opts.rate_per_minute = 0.001;
  opts.rate_burst = 2;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  SyncReport reply;
  EXPECT_TRUE(CallSync(*stub, &reply).ok());
  EXPECT_TRUE(CallSync(*stub, &reply).ok());
  EXPECT_EQ(CallSync(*stub, &reply).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(service_.runs(), 2);
}

TEST_F(AgentTest, GetStatusReportsEachDeployment) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  SyncReport reply;
  ASSERT_TRUE(CallSync(*stub, &reply).ok());
  grpc::ClientContext ctx;
  secretsync::v1::GetStatusReply st;
  ASSERT_TRUE(stub->GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &st).ok());
  EXPECT_EQ(st.agent_version(), "secretsync-agent 0.1.0");
  ASSERT_EQ(st.deployments_size(), 2);
  EXPECT_EQ(st.deployments(0).deployment(), "web");
  EXPECT_EQ(st.deployments(0).runs(), 1);
  EXPECT_EQ(st.deployments(0).last_exit_code(), 0);
  EXPECT_GT(st.deployments(0).last_success_unix_ms(), 0);
  EXPECT_EQ(st.deployments(0).content_sha256().size(), 64u);
  EXPECT_EQ(st.deployments(1).runs(), 0);
  ExpectNoCanary(st.SerializeAsString(), "status");
  grpc::ClientContext ctx2;
  secretsync::v1::GetStatusRequest unknown;
  unknown.set_deployment("db");
  EXPECT_EQ(stub->GetStatus(&ctx2, unknown, &st).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(AgentTest, TerminateLetsTheRunningSyncFinishWithItsReport) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  service_.Hold();
  SyncReport reply;
  grpc::Status s;
  std::thread call([&] { s = CallSync(*stub, &reply); });
  service_.AwaitRunning(1);
  std::thread stop([&] { EXPECT_EQ(agent.Stop(), 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let shutdown begin
  service_.Release();
  call.join();
  stop.join();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.output_path(), "/srv/web/.env");
}

TEST_F(AgentTest, PlaintextIsServedOnlyOnLoopbackWhenAskedFor) {
  AgentOptions opts;
  opts.insecure_loopback_plaintext = true;
  InProcessAgent agent(opts, service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  SyncReport reply;
  EXPECT_TRUE(CallSync(*PlaintextStub(agent.target()), &reply).ok());
  agent.Stop();

  // RunAgent itself refuses a non-loopback address (the harness forces
  // 127.0.0.1, so call it directly).
  RealFilesystem fs;
  RealClock clock;
  testing::LinesSink log;
  testing::QueueEvents events;
  std::ostringstream out, err;
  opts.listen = "0.0.0.0:0";
  EXPECT_EQ(RunAgent(opts, {fs, clock, log, events, nullptr}, service_, out, err), 64);
  EXPECT_NE(err.str().find("plaintext is allowed only on a loopback IP"), std::string::npos);
}

TEST_F(AgentTest, BusyPortIsAnErrorNotASharedPort) {
  InProcessAgent first(MtlsOptions(pki()), service_);
  ASSERT_TRUE(first.listening()) << first.err();
  RealFilesystem fs;
  RealClock clock;
  testing::LinesSink log;
  testing::QueueEvents events;
  events.Push(AgentEvent::kTerminate);  // should it start anyway, it stops at once
  std::ostringstream out, err;
  AgentOptions opts = MtlsOptions(pki());
  opts.listen = first.target();
  EXPECT_EQ(RunAgent(opts, {fs, clock, log, events, nullptr}, service_, out, err), 75);
  EXPECT_NE(err.str().find("cannot bind"), std::string::npos) << err.str();
}

TEST_F(AgentTest, MissingFilesAndEmptyAllowListAreClearErrors) {
  RealFilesystem fs;
  RealClock clock;
  testing::LinesSink log;
  testing::QueueEvents events;
  std::ostringstream out, err;
  AgentOptions opts = MtlsOptions(pki());
  opts.tls_cert_file = pki() + "/missing.pem";
  EXPECT_EQ(RunAgent(opts, {fs, clock, log, events, nullptr}, service_, out, err), 66);
  EXPECT_NE(err.str().find("--tls_cert_file"), std::string::npos) << err.str();
  opts = MtlsOptions(pki());
  opts.allowed_sans.clear();
  err.str("");
  EXPECT_EQ(RunAgent(opts, {fs, clock, log, events, nullptr}, service_, out, err), 64);
  EXPECT_NE(err.str().find("--allowed_sans"), std::string::npos) << err.str();
}

TEST_F(AgentTest, HealthyReportReachesTheCallerTheRequestCacheAndGetStatus) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  EXPECT_EQ(WebStatus(*stub).last_health(), secretsync::v1::HEALTH_NOT_CHECKED);
  service_.SetHealth(Health(secretsync::v1::HEALTHY, ""));
  SyncReport first, again;
  ASSERT_TRUE(CallSync(*stub, &first, "", "deploy-7").ok());
  EXPECT_EQ(first.health().outcome(), secretsync::v1::HEALTHY);
  EXPECT_EQ(first.health().check(), "GET http://127.0.0.1:8000/_health/");
  EXPECT_EQ(first.health().attempts(), 3);
  // The repeated id is answered from the cache, health included.
  ASSERT_TRUE(CallSync(*stub, &again, "", "deploy-7").ok());
  EXPECT_EQ(service_.runs(), 1);
  EXPECT_EQ(again.health().SerializeAsString(), first.health().SerializeAsString());
  const secretsync::v1::DeploymentStatus st = WebStatus(*stub);
  EXPECT_EQ(st.last_health(), secretsync::v1::HEALTHY);
  EXPECT_EQ(st.last_exit_code(), 0);
  const std::string canary = FakeSyncService::kCanary;
  EXPECT_EQ(first.SerializeAsString().find(canary), std::string::npos);
  EXPECT_EQ(st.SerializeAsString().find(canary), std::string::npos);
}

TEST_F(AgentTest, RolledBackReportReachesEveryCoalescedCallerAndGetStatus) {
  InProcessAgent agent(MtlsOptions(pki()), service_);
  ASSERT_TRUE(agent.listening()) << agent.err();
  auto stub = TlsStub(agent.target(), pki(), "client");
  service_.SetExitCode(81);
  service_.SetHealth(Health(secretsync::v1::UNHEALTHY_ROLLED_BACK, "status 500 (want 200)"));
  service_.Hold();
  SyncReport replies[3];
  grpc::Status statuses[3];
  std::vector<std::thread> callers;
  auto start = [&](int i) {
    callers.emplace_back([&, i] { statuses[i] = CallSync(*stub, &replies[i]); });
  };
  start(0);
  service_.AwaitRunning(1);
  start(1);
  start(2);
  // Both later callers wait for one follow-up sync.
  int queued = 0;
  for (int i = 0; i < 2000 && queued < 2; ++i) {
    queued = WebStatus(*stub).queued();
    if (queued < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(queued, 2);
  service_.Release();
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(replies[i].exit_code(), 81);
    EXPECT_EQ(replies[i].health().outcome(), secretsync::v1::UNHEALTHY_ROLLED_BACK);
    EXPECT_EQ(replies[i].health().detail(), "status 500 (want 200)");
    EXPECT_TRUE(replies[i].health().healthy_after_rollback());
  }
  EXPECT_EQ(service_.runs(), 2);
  secretsync::v1::DeploymentStatus st = WebStatus(*stub);
  EXPECT_EQ(st.last_health(), secretsync::v1::UNHEALTHY_ROLLED_BACK);
  EXPECT_EQ(st.last_exit_code(), 81);
  EXPECT_EQ(st.last_success_unix_ms(), 0);
  // A later sync that checks nothing replaces the outcome.
  service_.SetExitCode(0);
  service_.SetHealth(secretsync::v1::HealthReport());
  SyncReport reply;
  ASSERT_TRUE(CallSync(*stub, &reply).ok());
  EXPECT_EQ(reply.health().outcome(), secretsync::v1::HEALTH_NOT_CHECKED);
  EXPECT_EQ(WebStatus(*stub).last_health(), secretsync::v1::HEALTH_NOT_CHECKED);
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

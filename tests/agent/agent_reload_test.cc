// SIGHUP (a reload event) over real TCP on 127.0.0.1: the agent serves a
// renewed certificate to new handshakes at once, keeps its calls in flight,
// and keeps the old certificate when the new files do not fit together.
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/security/auth_context.h>

#include <chrono>
#include <string>
#include <sys/stat.h>
#include <thread>

#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "tests/agent/agent_harness.h"

namespace secretsync {
namespace agent {
namespace {

using ::secretsync::agent::testing::InProcessAgent;
using ::secretsync::agent::testing::MakeTestPki;
using ::secretsync::agent::testing::MtlsOptions;
using ::secretsync::agent::testing::ReadTestFile;
using ::secretsync::agent::testing::Soon;
using ::secretsync::agent::testing::TlsChannel;
using ::secretsync::agent::testing::TlsStub;
using ::secretsync::agent::testing::WriteTestFile;

// The PEM certificate the agent presents on a new connection.
std::string ServedCertificate(const std::string& target, const std::string& pki) {
  auto stub = secretsync::v1::Agent::NewStub(TlsChannel(target, pki, "client"));
  grpc::ClientContext ctx;
  ctx.set_deadline(Soon());
  secretsync::v1::GetStatusReply reply;
  grpc::Status s = stub->GetStatus(&ctx, secretsync::v1::GetStatusRequest(), &reply);
  if (!s.ok()) return "error: " + s.error_message();
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  std::vector<grpc::string_ref> pem = auth->FindPropertyValues("x509_pem_cert");
  return pem.empty() ? "none" : std::string(pem[0].data(), pem[0].size());
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Waits (bounded) until the agent's log has `n` lines with `event`.
void AwaitLog(const InProcessAgent& agent, const std::string& event, size_t n) {
  for (int i = 0; i < 1000 && Count(agent.log(), event) < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(Count(agent.log(), event), n) << agent.log();
}

TEST(AgentReloadTest, SighupServesTheRenewedCertificateAndKeepsCallsInFlight) {
  const std::string pki = MakeTestPki();
  const std::string live = pki + "/live";
  ASSERT_EQ(mkdir(live.c_str(), 0700), 0);
  const std::string old_pem = ReadTestFile(pki + "/server.pem");
  const std::string new_pem = ReadTestFile(pki + "/server2.pem");
  ASSERT_NE(old_pem, new_pem);
  WriteTestFile(live + "/server.pem", old_pem);
  WriteTestFile(live + "/server.key", ReadTestFile(pki + "/server.key"));
  AgentOptions opts = MtlsOptions(pki);
  opts.tls_cert_file = live + "/server.pem";
  opts.tls_key_file = live + "/server.key";
  opts.tls_reload_seconds = 3600;  // gRPC's own file watcher stays out of it
  FakeSyncService service;
  InProcessAgent agent(opts, service);
  ASSERT_TRUE(agent.listening()) << agent.err();
  EXPECT_EQ(ServedCertificate(agent.target(), pki), old_pem);

  // A call in flight on the first server, across both reloads.
  service.Hold();
  auto open = TlsStub(agent.target(), pki, "client");
  grpc::Status in_flight;
  secretsync::v1::SyncReport in_flight_reply;
  std::thread call([&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(Soon());
    in_flight = open->Sync(&ctx, secretsync::v1::SyncRequest(), &in_flight_reply);
  });
  service.AwaitRunning(1);

  // Half renewed: the new certificate with the old key. Refused; the old
  // server goes on.
  WriteTestFile(live + "/server.pem", new_pem);
  agent.Reload();
  AwaitLog(agent, "agent.reload_failed", 1);
  EXPECT_NE(agent.log().find("--tls_key_file"), std::string::npos) << agent.log();
  EXPECT_EQ(ServedCertificate(agent.target(), pki), old_pem);

  // Both renewed.
  WriteTestFile(live + "/server.key", ReadTestFile(pki + "/server2.key"));
  agent.Reload();
  AwaitLog(agent, "agent.reloaded", 1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ServedCertificate(agent.target(), pki), new_pem) << i;

  service.Release();
  call.join();
  EXPECT_TRUE(in_flight.ok()) << in_flight.error_message();
  EXPECT_EQ(in_flight_reply.output_path(), "/srv/web/.env");
  EXPECT_EQ(agent.Stop(), 0);
  EXPECT_EQ(agent.log().find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace agent
}  // namespace secretsync

// Fan-out against real agents on 127.0.0.1 (mTLS, certificates from the
// openssl CLI): healthy, failing and unreachable hosts, stop-on-failure,
// batches with splay, refused callers, bad options, and no canary anywhere.
#include "lib/fanout/fanout_command.h"

#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/agent/fake_sync_service.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/random_source.h"
#include "lib/testing/fake_clock.h"
#include "nlohmann/json.hpp"
#include "tests/agent/agent_harness.h"

namespace secretsync {
namespace fanout {
namespace {

using agent::FakeSyncService;
using agent::testing::InProcessAgent;

constexpr char kToken[] = "CANARY-fanout-token-118";

struct Fleet {
  std::vector<std::unique_ptr<FakeSyncService>> services;
  std::vector<std::unique_ptr<InProcessAgent>> agents;
  std::vector<std::string> hosts;
};

class FanoutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new std::string(agent::testing::MakeTestPki());
    agent::testing::WriteTestFile(*pki_ + "/token", kToken);
  }
  const std::string& pki() { return *pki_; }

  // Starts `n` agents; agent i fails its syncs (exit 75) when fail(i).
  void Start(Fleet& fleet, int n, const std::function<bool(int)>& fail) {
    agent::AgentOptions opts = agent::testing::MtlsOptions(pki());
    opts.token_file = pki() + "/token";
    for (int i = 0; i < n; ++i) {
      fleet.services.push_back(std::make_unique<FakeSyncService>());
      if (fail(i)) fleet.services.back()->SetExitCode(75);
      fleet.agents.push_back(std::make_unique<InProcessAgent>(opts, *fleet.services.back()));
      ASSERT_TRUE(fleet.agents.back()->listening()) << fleet.agents.back()->err();
      fleet.hosts.push_back(fleet.agents.back()->target());
    }
  }

  // A port nothing listens on: an agent's, after it stopped.
  std::string DeadHost() {
    FakeSyncService s;
    InProcessAgent a(agent::testing::MtlsOptions(pki()), s);
    std::string target = a.target();
    a.Stop();
    return target;
  }

  FanoutOptions Options(std::vector<std::string> hosts) {
    FanoutOptions o;
    o.hosts = std::move(hosts);
    o.ca_file = pki() + "/ca.pem";
    o.tls_cert_file = pki() + "/client.pem";
    o.tls_key_file = pki() + "/client.key";
    o.token_file = pki() + "/token";
    o.deadline = absl::Seconds(20);
    return o;
  }

  int Run(const FanoutOptions& o) {
    out_.str("");
    err_.str("");
    return RunFanout(o, {fs_, clock_, random_, log_}, out_, err_);
  }

  void ExpectNoCanary() {
    for (const std::string& text : {out_.str(), err_.str(), log_.text()}) {
      EXPECT_EQ(text.find(FakeSyncService::kCanary), std::string::npos) << text;
      EXPECT_EQ(text.find(kToken), std::string::npos) << text;
    }
  }

  static std::string* pki_;
  RealFilesystem fs_;
  RealClock clock_;
  OsRandomSource random_;
  agent::testing::LinesSink log_;
  std::ostringstream out_, err_;
};
std::string* FanoutTest::pki_ = nullptr;

TEST_F(FanoutTest, FiftyAgentsHealthyFailingAndUnreachableGetTheirOwnRows) {
  Fleet fleet;
  Start(fleet, 50, [](int i) { return i % 10 == 3; });  // 5 failing
  std::vector<std::string> hosts = fleet.hosts;
  std::vector<std::string> dead = {DeadHost(), DeadHost()};
  hosts.insert(hosts.begin() + 7, dead[0]);
  hosts.push_back(dead[1]);
  FanoutOptions o = Options(hosts);
  o.json = true;
  // Dead hosts refuse the connection at once; the deadline only has to let 50
  // live ones answer on a loaded machine (ASan).
  o.deadline = absl::Seconds(120);
  EXPECT_EQ(Run(o), 75) << err_.str();
  nlohmann::json doc = nlohmann::json::parse(out_.str());
  ASSERT_EQ(doc["hosts"].size(), 52u);
  int ok = 0, failed = 0, unreachable = 0;
  for (const auto& row : doc["hosts"]) {
    const std::string host = row["host"];
    const std::string result = row["result"];
    if (host == dead[0] || host == dead[1]) {
      EXPECT_EQ(result, "unreachable") << host;
      ++unreachable;
      continue;
    }
    const size_t i = std::find(fleet.hosts.begin(), fleet.hosts.end(), host) - fleet.hosts.begin();
    ASSERT_LT(i, fleet.hosts.size());
    if (i % 10 == 3) {
      EXPECT_EQ(result, "failed") << host;
      EXPECT_EQ(row["exit_code"], 75);
      ++failed;
    } else {
      EXPECT_EQ(result, "ok") << host;
      EXPECT_EQ(row["changed"], nlohmann::json::array({"DATABASE_PASSWORD"})) << host;
      ++ok;
    }
    EXPECT_EQ(fleet.services[i]->runs(), 1) << host;
  }
  EXPECT_EQ(ok, 45);
  EXPECT_EQ(failed, 5);
  EXPECT_EQ(unreachable, 2);
  ExpectNoCanary();
}

TEST_F(FanoutTest, AllHealthyExitsZeroAndPrintsATable) {
  Fleet fleet;
  Start(fleet, 3, [](int) { return false; });
  EXPECT_EQ(Run(Options(fleet.hosts)), 0) << err_.str();
  const std::string table = out_.str();
  EXPECT_NE(table.find("HOST"), std::string::npos);
  for (const std::string& h : fleet.hosts) {
    EXPECT_NE(table.find(h), std::string::npos) << table;
  }
  EXPECT_NE(table.find("DATABASE_PASSWORD"), std::string::npos) << table;
  EXPECT_EQ(table.find("failed"), std::string::npos) << table;
  ExpectNoCanary();
}

TEST_F(FanoutTest, StopOnFailureLaunchesNoHostAfterTheFirstFailure) {
  Fleet fleet;
  Start(fleet, 5, [](int i) { return i == 1; });
  FanoutOptions o = Options(fleet.hosts);
  o.parallel = 1;
  o.stop_on_failure = true;
  o.json = true;
  EXPECT_EQ(Run(o), 75);
  nlohmann::json doc = nlohmann::json::parse(out_.str());
  EXPECT_EQ(doc["hosts"][0]["result"], "ok");
  EXPECT_EQ(doc["hosts"][1]["result"], "failed");
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(doc["hosts"][i]["result"], "skipped");
    EXPECT_EQ(fleet.services[i]->runs(), 0);
  }
}

TEST_F(FanoutTest, CallerNotOnTheAllowListIsRefusedExit77) {
  Fleet fleet;
  Start(fleet, 1, [](int) { return false; });
  FanoutOptions o = Options(fleet.hosts);
  o.tls_cert_file = pki() + "/intruder.pem";
  o.tls_key_file = pki() + "/intruder.key";
  EXPECT_EQ(Run(o), 77);
  EXPECT_NE(out_.str().find("refused"), std::string::npos) << out_.str();
  EXPECT_EQ(fleet.services[0]->runs(), 0);
  ExpectNoCanary();
}

TEST_F(FanoutTest, BatchesRunApartBySplayAndParallelIsABound) {
  FakeClock clock;
  std::atomic<int> running{0}, peak{0}, calls{0};
  auto call = [&](const HostEntry& h) {
    int now = ++running;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --running;
    HostResult r;
    r.host = h.target;
    r.outcome = Outcome::kOk;
    return r;
  };
  FanoutOptions o;
  o.parallel = 3;
  o.batch = 4;
  o.splay = absl::Seconds(30);
  std::vector<HostEntry> hosts;
  for (int i = 0; i < 10; ++i) hosts.push_back({"h" + std::to_string(i) + ":1", ""});
  std::vector<HostResult> rows = FanOut(hosts, o, clock, call).rows;
  EXPECT_EQ(calls.load(), 10);
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(clock.sleeps(), (std::vector<absl::Duration>{absl::Seconds(30), absl::Seconds(30)}));
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows[9].host, "h9:1");
}

TEST_F(FanoutTest, BadOptionsAreUsageErrors) {
  FanoutOptions o = Options({});
  EXPECT_EQ(Run(o), 64);
  EXPECT_NE(err_.str().find("no host given"), std::string::npos);
  o = Options({"no-port"});
  EXPECT_EQ(Run(o), 64);
  o = Options({"127.0.0.1:1"});
  o.hosts_file = pki() + "/missing-hosts.txt";
  EXPECT_EQ(Run(o), 66);
  EXPECT_NE(err_.str().find("--hosts_file"), std::string::npos);
  o = Options({"10.1.2.3:7800"});
  o.insecure_loopback_plaintext = true;
  EXPECT_EQ(Run(o), 64);
  EXPECT_NE(err_.str().find("not a loopback IP"), std::string::npos);
}

TEST_F(FanoutTest, OutOfRangeOptionsAreUsageErrors) {
  Fleet fleet;
  Start(fleet, 1, [](int) { return false; });
  struct Case {
    const char* what;
    std::function<void(FanoutOptions&)> set;
    const char* message;
  };
  const Case cases[] = {
      {"parallel 0", [](FanoutOptions& o) { o.parallel = 0; }, "--parallel"},
      {"parallel -3", [](FanoutOptions& o) { o.parallel = -3; }, "--parallel"},
      {"parallel 1025", [](FanoutOptions& o) { o.parallel = 1025; }, "--parallel"},
      {"deadline inf", [](FanoutOptions& o) { o.deadline = absl::InfiniteDuration(); },
       "--deadline"},
      {"deadline 0", [](FanoutOptions& o) { o.deadline = absl::ZeroDuration(); }, "--deadline"},
      {"deadline -1s", [](FanoutOptions& o) { o.deadline = absl::Seconds(-1); }, "--deadline"},
      {"deadline 25h", [](FanoutOptions& o) { o.deadline = absl::Hours(25); }, "--deadline"},
      {"unbracketed IPv6", [](FanoutOptions& o) { o.hosts.push_back("::1:7800"); },
       "[::1]:7800"},
      {"request id 129 bytes", [](FanoutOptions& o) { o.request_id = std::string(129, 'r'); },
       "--request_id"},
  };
  for (const Case& c : cases) {
    FanoutOptions o = Options(fleet.hosts);
    c.set(o);
    EXPECT_EQ(Run(o), 64) << c.what;
    EXPECT_NE(err_.str().find(c.message), std::string::npos) << c.what << ": " << err_.str();
  }
  EXPECT_EQ(fleet.services[0]->runs(), 0);
  FanoutOptions o = Options(fleet.hosts);
  o.parallel = 1024;
  EXPECT_EQ(Run(o), 0) << err_.str();
}

TEST_F(FanoutTest, DefaultDeadlineOutlastsAnAgentsLockWaitPlusASync) {
  // Agent defaults: sync lock wait 60s; renew, login, list, login, list, each
  // up to 5 x 30s attempts plus 90s of backoff; on-change timeout 300s.
  const absl::Duration agent_worst = absl::Seconds(60 + 5 * (5 * 30 + 90) + 300);
  EXPECT_GT(FanoutOptions().deadline, agent_worst);
  EXPECT_LE(FanoutOptions().deadline, absl::Hours(24));
}

TEST_F(FanoutTest, PlaintextOnlyForHostsThatParseAsLoopback) {
  FakeSyncService service;
  agent::AgentOptions opts;
  opts.insecure_loopback_plaintext = true;
  InProcessAgent agent(opts, service);
  ASSERT_TRUE(agent.listening()) << agent.err();
  const std::string port = std::to_string(agent.port());
  for (const char* host : {"127.0.0.1.attacker.example", "127.attacker.example", "localhost.example",
                           "[::ffff:127.0.0.1]", "10.0.0.1", "127.1"}) {
    FanoutOptions o;
    o.hosts = {absl::StrCat(host, ":", port)};
    o.insecure_loopback_plaintext = true;
    EXPECT_EQ(Run(o), 64) << host << ": " << out_.str();
    EXPECT_NE(err_.str().find("not a loopback IP"), std::string::npos) << host << err_.str();
    EXPECT_EQ(out_.str(), "") << host;
  }
  EXPECT_EQ(service.runs(), 0);
  // "localhost" passes too (host_list_test); it is not dialled here because
  // gRPC's c-ares resolver leaks 10 bytes resolving it, which fails ASan.
  FanoutOptions o;
  o.hosts = {absl::StrCat("127.0.0.1:", port)};
  o.insecure_loopback_plaintext = true;
  o.deadline = absl::Seconds(60);
  EXPECT_EQ(Run(o), 0) << err_.str() << out_.str();
  EXPECT_EQ(service.runs(), 1);
}

TEST_F(FanoutTest, RequestIdIsPrintedInTheTableTheJsonAndEachHostsLogLine) {
  Fleet fleet;
  Start(fleet, 3, [](int i) { return i == 1; });
  FanoutOptions o = Options(fleet.hosts);
  o.request_id = "retry-me-42";
  EXPECT_EQ(Run(o), 75);
  EXPECT_NE(out_.str().find("--request_id=retry-me-42"), std::string::npos) << out_.str();
  int host_lines = 0;
  for (absl::string_view line : absl::StrSplit(log_.text(), '\n')) {
    if (!absl::StrContains(line, "fanout.host")) continue;
    ++host_lines;
    EXPECT_TRUE(absl::StrContains(line, "request_id=retry-me-42")) << line;
  }
  EXPECT_EQ(host_lines, 3) << log_.text();
  // A generated id is printed too, the same in the JSON and the log.
  o.request_id.clear();
  o.json = true;
  EXPECT_EQ(Run(o), 75);
  nlohmann::json doc = nlohmann::json::parse(out_.str());
  const std::string id = doc.value("request_id", "");
  EXPECT_TRUE(absl::StartsWith(id, "fanout-")) << out_.str();
  EXPECT_TRUE(absl::StrContains(log_.text(), "request_id=" + id)) << log_.text();
  ExpectNoCanary();
}

TEST_F(FanoutTest, InvalidUtf8FromAnAgentIsReplacedAndCutOnACharacter) {
  const std::string euro = "\xE2\x82\xAC";  // 3 bytes: any 200-byte cut may split one
  for (int shift = 0; shift < 3; ++shift) {
    Fleet fleet;
    Start(fleet, 1, [](int) { return false; });
    std::string message = "infisical: bad \xFF\xC3 reply " + std::string(shift, 'x');
    for (int i = 0; i < 100; ++i) message += euro;
    fleet.services[0]->FailWith(absl::UnavailableError(message));
    FanoutOptions o = Options(fleet.hosts);
    o.json = true;
    EXPECT_EQ(Run(o), 75) << err_.str();
    nlohmann::json doc = nlohmann::json::parse(out_.str());  // throws on invalid UTF-8
    const std::string error = doc["hosts"][0]["error"];
    EXPECT_TRUE(absl::StrContains(error, "bad \xEF\xBF\xBD\xEF\xBF\xBD reply")) << error;
    EXPECT_TRUE(absl::EndsWith(error, euro)) << shift << ": " << error;
    EXPECT_LE(error.size(), 260u);
    o.json = false;
    EXPECT_EQ(Run(o), 75) << err_.str();
    EXPECT_TRUE(absl::StrContains(out_.str(), "bad \xFF\xC3 reply")) << out_.str();
  }
}

TEST_F(FanoutTest, RpcErrorsMapToTheExitCodeTable) {
  struct Case {
    absl::Status status;
    const char* result;
    int exit;
  };
  const Case cases[] = {
      {absl::ResourceExhaustedError("rate limit"), "refused", 75},
      {absl::NotFoundError("no deployment named web2"), "error", 66},
      {absl::InvalidArgumentError("request_id: too long"), "error", 65},
      {absl::UnavailableError("stopping"), "unreachable", 75},
      {absl::PermissionDeniedError("caller not allowed"), "refused", 77},
  };
  for (const Case& c : cases) {
    Fleet fleet;
    Start(fleet, 1, [](int) { return false; });
    fleet.services[0]->FailWith(c.status);
    FanoutOptions o = Options(fleet.hosts);
    o.json = true;
    EXPECT_EQ(Run(o), c.exit) << c.status;
    nlohmann::json doc = nlohmann::json::parse(out_.str());
    EXPECT_EQ(doc["hosts"][0]["result"], c.result) << c.status;
  }
  // A permanent code wins over a temporary one, whatever the order.
  Fleet fleet;
  Start(fleet, 2, [](int i) { return i == 0; });
  fleet.services[1]->FailWith(absl::NotFoundError("no deployment named web2"));
  EXPECT_EQ(Run(Options({fleet.hosts[0], DeadHost(), fleet.hosts[1]})), 66) << out_.str();
}

TEST_F(FanoutTest, AgentRateLimitIsTemporaryExit75) {
  FakeSyncService service;
  agent::AgentOptions opts = agent::testing::MtlsOptions(pki());
  opts.token_file = pki() + "/token";
  opts.rate_per_minute = 0.01;
  opts.rate_burst = 1;
  InProcessAgent agent(opts, service);
  ASSERT_TRUE(agent.listening()) << agent.err();
  EXPECT_EQ(Run(Options({agent.target()})), 0) << out_.str();
  EXPECT_EQ(Run(Options({agent.target()})), 75) << out_.str();
  EXPECT_TRUE(absl::StrContains(out_.str(), "RESOURCE_EXHAUSTED")) << out_.str();
  EXPECT_EQ(service.runs(), 1);
}

TEST_F(FanoutTest, PerHostTlsNameOverridesTheGlobalOne) {
  Fleet fleet;
  Start(fleet, 2, [](int) { return false; });
  // The agents' certificate names IP:127.0.0.1 only.
  FanoutOptions o = Options({fleet.hosts[0] + "=127.0.0.1", fleet.hosts[1]});
  o.tls_server_name = "wrong.example.org";
  o.json = true;
  o.deadline = absl::Seconds(60);  // the wrong name fails at the handshake, at once
  EXPECT_EQ(Run(o), 75) << err_.str();
  nlohmann::json doc = nlohmann::json::parse(out_.str());
  EXPECT_EQ(doc["hosts"][0]["host"], fleet.hosts[0]);
  EXPECT_EQ(doc["hosts"][0]["result"], "ok") << out_.str();
  EXPECT_EQ(doc["hosts"][1]["result"], "unreachable") << out_.str();
  EXPECT_EQ(fleet.services[0]->runs(), 1);
  EXPECT_EQ(fleet.services[1]->runs(), 0);
  ExpectNoCanary();
}

}  // namespace
}  // namespace fanout
}  // namespace secretsync

// The dev server emits webhooks as Infisical does: a write through its API
// reaches a real WebhookReceiver (lib/webhook) over loopback with Infisical's
// body, Content-Type and a valid signature; /test sends event "test"; a dead
// receiver does not break the write.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "lib/base/filesystem.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/devserver/dev_api.h"
#include "lib/devserver/dev_store.h"
#include "lib/devserver/webhook_events.h"
#include "lib/devserver/webhook_sender.h"
#include "lib/http/curl_http_transport.h"
#include "lib/testing/fake_clock.h"
#include "lib/webhook/signature.h"
#include "lib/webhook/verifier.h"
#include "lib/webhook/webhook_receiver.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace {

namespace v1 = ::secretsync::v1;
using Json = nlohmann::json;

constexpr char kKey[] = "CANARY-devserver-webhook-key-3317";
constexpr char kValueCanary[] = "CANARY-value-9931";

constexpr char kSeed[] = R"pb(
  projects {
    id: "p1"
    slug: "app"
    environments { slug: "dev" }
    environments { slug: "prod" }
    secrets { environment: "prod" key: "SECRET_KEY" value: "old" }
    secrets { environment: "prod" path: "/other" key: "X" value: "x" }
  }
  identities { client_id: "rw" client_secret: "rw-secret" project_ids: "p1" }
)pb";

class WebhookEmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    webhook::VerifierOptions vo;
    vo.key = SecretValue(std::string(kKey));
    verifier_ = std::make_unique<webhook::WebhookVerifier>(clock_, std::move(vo));
    auto receiver = webhook::WebhookReceiver::Create(
        webhook::ReceiverOptions{}, *verifier_,
        [this](const webhook::Delivery& d, const std::string&) {
          absl::MutexLock lock(&mu_);
          delivered_.push_back(d);
        },
        clock_, fs_, receiver_log_);
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = std::move(*receiver);
    absl::StatusOr<int> port = receiver_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok());
    port_ = *port;
    serve_ = std::thread([this] { (void)receiver_->Serve(); });

    v1::DevSeed seed;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kSeed, &seed));
    v1::DevWebhook* hook = seed.add_webhooks();
    hook->set_project_id("p1");
    hook->set_environment("prod");
    hook->set_secret_path("/");
    hook->set_url(Url());
    hook->set_secret_key(kKey);
    auto store = DevStore::Create(seed, clock_, random_);
    ASSERT_TRUE(store.ok()) << store.status();
    http::CurlTransportOptions ho;
    ho.request_timeout = absl::Seconds(15);
    http_ = std::make_unique<http::CurlHttpTransport>(ho);
    sender_ = std::make_unique<WebhookSender>(*http_, log_);
    DevApiOptions options;
    options.webhooks = sender_.get();
    api_ = std::make_unique<DevApi>(*std::move(store), clock_, random_, log_, options, nullptr);
    token_ = Login();
  }

  void TearDown() override {
    api_.reset();
    sender_.reset();
    receiver_->Stop();
    serve_.join();
    for (const std::string& line : log_.lines()) {
      EXPECT_EQ(line.find("CANARY"), std::string::npos) << line;
    }
    for (const std::string& line : receiver_log_.lines()) {
      EXPECT_EQ(line.find("CANARY"), std::string::npos) << line;
    }
  }

  std::string Url() { return "http://127.0.0.1:" + std::to_string(port_) + "/webhook"; }

  ApiResponse Call(const std::string& method, const std::string& path, const Json& body) {
    ApiRequest req;
    req.method = method;
    req.path = path;
    if (!token_.empty()) req.headers["authorization"] = "Bearer " + token_;
    req.body = body.dump();
    req.remote_addr = "127.0.0.1";
    return api_->Handle(req);
  }
  std::string Login() {
    ApiResponse r = Call("POST", "/api/v1/auth/universal-auth/login",
                         Json{{"clientId", "rw"}, {"clientSecret", "rw-secret"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body)["accessToken"].get<std::string>();
  }
  // Waits (on real deliveries over loopback) until `n` have arrived.
  std::vector<webhook::Delivery> WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto arrived = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return delivered_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(30));
    return delivered_;
  }

  FakeClock clock_{absl::Now()};  // the verifier's window needs real time
  RealFilesystem fs_;
  OsRandomSource random_;
  CapturingLogSink log_;
  CapturingLogSink receiver_log_;
  std::unique_ptr<webhook::WebhookVerifier> verifier_;
  std::unique_ptr<webhook::WebhookReceiver> receiver_;
  std::thread serve_;
  int port_ = 0;
  std::unique_ptr<http::CurlHttpTransport> http_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<DevApi> api_;
  std::string token_;
  absl::Mutex mu_;
  std::vector<webhook::Delivery> delivered_ ABSL_GUARDED_BY(mu_);
};

TEST_F(WebhookEmitTest, APatchFiresOneSignedSecretsModifiedDelivery) {
  ApiResponse r = Call("PATCH", "/api/v3/secrets/raw/SECRET_KEY",
                       Json{{"workspaceId", "p1"},
                            {"environment", "prod"},
                            {"secretPath", "/"},
                            {"secretValue", kValueCanary}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<webhook::Delivery> got = WaitFor(1);
  ASSERT_EQ(got.size(), 1u);  // verified by the receiver: signature, window, JSON shape
  EXPECT_EQ(got[0].event, "secrets.modified");
  EXPECT_EQ(got[0].workspace_id, "p1");
  EXPECT_EQ(got[0].environment, "prod");
  EXPECT_EQ(got[0].secret_path, "/");
  EXPECT_EQ(got[0].timestamp_ms, absl::ToUnixMillis(clock_.TimeNow()));
}

TEST_F(WebhookEmitTest, BodyAndHeaderAreExactlyInfisicals) {
  v1::DevWebhook hook;
  hook.set_id("w1");
  hook.set_project_id("fc74c058-28b7-49f5-bc2d-a3993d078084");
  hook.set_environment("prod");
  hook.set_url("http://x/");
  hook.set_secret_key("test-webhook-key");
  OutgoingWebhook out = MakeDelivery(hook, "secrets.modified", "/", 1796396457716);
  // The real server's delivery (docs/infisical-api.md, section 10).
  EXPECT_EQ(out.body,
            R"({"event":"secrets.modified","project":{"workspaceId":"fc74c058-28b7-49f5-bc2d-a3993d078084","environment":"prod","secretPath":"/"},"timestamp":1796396457716})");
  EXPECT_EQ(out.signature,
            "t=1796396457716;7f783ffd1a59c35ebc3c1f1f7bb34c024bb14712dd03410d05ff7c89a2d4683b");
  hook.clear_secret_key();
  EXPECT_EQ(MakeDelivery(hook, "secrets.modified", "/", 1).signature, "");
}

TEST_F(WebhookEmitTest, WritesOutsideTheWebhooksScopeFireNothing) {
  ApiResponse r = Call("PATCH", "/api/v3/secrets/raw/X",
                       Json{{"workspaceId", "p1"},
                            {"environment", "prod"},
                            {"secretPath", "/other"},
                            {"secretValue", "y"}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/api/v3/secrets/raw/NEW",
           Json{{"workspaceId", "p1"}, {"environment", "dev"}, {"secretValue", "v"}});
  ASSERT_EQ(r.status, 200) << r.body;
  // A failed write fires nothing either.
  r = Call("PATCH", "/api/v3/secrets/raw/MISSING",
           Json{{"workspaceId", "p1"}, {"environment", "prod"}, {"secretValue", "v"}});
  ASSERT_EQ(r.status, 404) << r.body;
  // A matching write afterwards is the first and only delivery (FIFO sender).
  r = Call("DELETE", "/api/v3/secrets/raw/SECRET_KEY",
           Json{{"workspaceId", "p1"}, {"environment", "prod"}});
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<webhook::Delivery> got = WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].environment, "prod");
  EXPECT_EQ(got[0].secret_path, "/");
}

TEST_F(WebhookEmitTest, CreatedWebhookAndTestEventAndADeadReceiver) {
  // A webhook on dev whose receiver is gone: the write still succeeds.
  ApiResponse r = Call("POST", "/api/v1/webhooks",
                       Json{{"type", "general"},
                            {"workspaceId", "p1"},
                            {"environment", "dev"},
                            {"webhookUrl", "http://127.0.0.1:1/dead"},
                            {"secretPath", "/"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("webhookSecretKey"), std::string::npos);
  r = Call("POST", "/api/v3/secrets/raw/NEW",
           Json{{"workspaceId", "p1"}, {"environment", "dev"}, {"secretValue", "v"}});
  EXPECT_EQ(r.status, 200) << r.body;
  // A second webhook to the live receiver, with the key, then /test.
  r = Call("POST", "/api/v1/webhooks",
           Json{{"type", "general"},
                {"workspaceId", "p1"},
                {"environment", "dev"},
                {"webhookUrl", Url()},
                {"webhookSecretKey", kKey},
                {"secretPath", "/**"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("CANARY"), std::string::npos);
  std::string id = Json::parse(r.body)["webhook"]["id"].get<std::string>();
  r = Call("POST", "/api/v1/webhooks/" + id + "/test", Json::object());
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<webhook::Delivery> got = WaitFor(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].is_test());
  EXPECT_EQ(got[0].secret_path, "/**");
  EXPECT_EQ(Call("POST", "/api/v1/webhooks/nope/test", Json::object()).status, 404);
  // The dead receiver's attempt is logged as failed, with no detail.
  sender_.reset();  // joins the worker after its current attempt
  bool failed_logged = false;
  for (const std::string& line : log_.lines()) {
    failed_logged |= line.find("devserver.webhook_failed") != std::string::npos;
  }
  EXPECT_TRUE(failed_logged);
  api_.reset();
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

// WebhookReceiver over real sockets: a valid delivery gets 202 and exactly
// one callback; each hostile delivery of issue 16's list gets its 4xx (or
// the connection is closed) and no callback.
#include "lib/webhook/webhook_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/status_matchers.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace webhook {
namespace {

using ::secretsync::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "CANARY-receiver-key-8812";

// One TCP connection to 127.0.0.1:port, written and read with plain syscalls
// so that a test can send what no HTTP client would.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{30, 0};  // a safety net only: every test ends long before
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { close(fd_); }
  bool connected() const { return connected_; }
  // False once the peer has closed or reset.
  bool Send(absl::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Everything until the peer closes (or resets) the connection.
  std::string ReadToClose() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

// The status code of a raw HTTP reply, or 0 when there is none.
int StatusOf(absl::string_view reply) {
  if (!absl::ConsumePrefix(&reply, "HTTP/1.1 ")) return 0;
  int status = 0;
  return absl::SimpleAtoi(reply.substr(0, 3), &status) ? status : 0;
}

std::string Request(absl::string_view body, absl::string_view content_type,
                    absl::string_view signature) {
  std::string out = absl::StrCat("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                 "Content-Length: ", body.size(), "\r\n");
  if (!content_type.empty()) absl::StrAppend(&out, "Content-Type: ", content_type, "\r\n");
  if (!signature.empty()) absl::StrAppend(&out, "X-Infisical-Signature: ", signature, "\r\n");
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

class WebhookReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VerifierOptions vo;
    vo.key = SecretValue(std::string(kKey));
    vo.max_body_bytes = 4096;
    verifier_ = std::make_unique<WebhookVerifier>(clock_, std::move(vo));
    ReceiverOptions ro;
    ro.read_timeout = absl::Seconds(1);
    ro.threads = 2;
    ro.on_refused = [this](int status) {
      absl::MutexLock lock(&mu_);
      refused_.push_back(status);
    };
    auto receiver = WebhookReceiver::Create(
        std::move(ro), *verifier_,
        [this](const Delivery& d, const std::string& id) {
          absl::MutexLock lock(&mu_);
          delivered_.push_back(d);
          ids_.push_back(id);
        },
        clock_, fs_, log_);
    ASSERT_THAT(receiver, IsOk());
    receiver_ = std::move(*receiver);
    absl::StatusOr<int> port = receiver_->Bind("127.0.0.1", 0);
    ASSERT_THAT(port, IsOk());
    port_ = *port;
    serve_ = std::thread([this] { EXPECT_THAT(receiver_->Serve(), IsOk()); });
  }
  void TearDown() override {
    if (receiver_ != nullptr) receiver_->Stop();
    if (serve_.joinable()) serve_.join();
    for (const std::string& line : log_.lines()) {
      EXPECT_THAT(line, Not(HasSubstr("CANARY"))) << line;
      for (const std::string& sig : signatures_) {
        EXPECT_THAT(line, Not(HasSubstr(sig.substr(sig.size() - 16)))) << line;
      }
    }
  }

  std::string Body(int64_t offset_ms = 0, absl::string_view event = "secrets.modified") {
    return SerializeDelivery(Delivery{std::string(event), "ws-1", "prod", "/",
                                      absl::ToUnixMillis(clock_.TimeNow()) + offset_ms});
  }
  std::string Sign(absl::string_view body) {
    absl::StatusOr<std::string> sig = SignDelivery(SecretValue(std::string(kKey)), body);
    EXPECT_THAT(sig, IsOk());
    signatures_.push_back(sig.value_or(""));
    return sig.value_or("");
  }
  int Exchange(const std::string& request) {
    RawConnection conn(port_);
    EXPECT_TRUE(conn.connected());
    conn.Send(request);
    return StatusOf(conn.ReadToClose());
  }
  size_t Delivered() {
    absl::MutexLock lock(&mu_);
    return delivered_.size();
  }

  FakeClock clock_;
  RealFilesystem fs_;
  CapturingLogSink log_;
  std::unique_ptr<WebhookVerifier> verifier_;
  std::unique_ptr<WebhookReceiver> receiver_;
  std::thread serve_;
  int port_ = 0;
  std::vector<std::string> signatures_;
  absl::Mutex mu_;
  std::vector<Delivery> delivered_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<int> refused_ ABSL_GUARDED_BY(mu_);
};

TEST_F(WebhookReceiverTest, AValidDeliveryGets202AndExactlyOneCallback) {
  std::string body = Body(0, "test");
  EXPECT_EQ(Exchange(Request(body, "application/json; charset=utf-8", Sign(body))), 202);
  absl::MutexLock lock(&mu_);
  ASSERT_EQ(delivered_.size(), 1u);
  EXPECT_TRUE(delivered_[0].is_test());
  EXPECT_EQ(delivered_[0].workspace_id, "ws-1");
  EXPECT_TRUE(absl::StartsWith(ids_[0], "wh-"));
  EXPECT_THAT(log_.lines(), ::testing::Contains(HasSubstr(ids_[0])));
}

TEST_F(WebhookReceiverTest, HealthzAnswers200AndOtherPaths404) {
  EXPECT_EQ(Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
  EXPECT_EQ(Exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
  std::string body = Body();
  std::string other = Request(body, "application/json", Sign(body));
  other.replace(other.find("/webhook"), 8, "/other");
  EXPECT_EQ(Exchange(other), 404);
  EXPECT_EQ(Delivered(), 0u);
}

TEST_F(WebhookReceiverTest, SignatureAndTimestampRefusalsAre401) {
  std::string body = Body();
  std::string bad = Sign(body);
  bad.back() = bad.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Exchange(Request(body, "application/json", bad)), 401) << "bad signature";
  EXPECT_EQ(Exchange(Request(body, "application/json", "")), 401) << "missing signature";
  std::string stale = Body(-6 * 60 * 1000);
  EXPECT_EQ(Exchange(Request(stale, "application/json", Sign(stale))), 401) << "stale";
  std::string future = Body(6 * 60 * 1000);
  EXPECT_EQ(Exchange(Request(future, "application/json", Sign(future))), 401) << "future";
  EXPECT_EQ(Delivered(), 0u);
  EXPECT_THAT(log_.lines(), ::testing::Contains(HasSubstr("status=401")));
}

TEST_F(WebhookReceiverTest, AReplayIs401AndTriggersNothingMore) {
  std::string body = Body();
  std::string request = Request(body, "application/json", Sign(body));
  EXPECT_EQ(Exchange(request), 202);
  EXPECT_EQ(Exchange(request), 401);
  EXPECT_EQ(Delivered(), 1u);
}

TEST_F(WebhookReceiverTest, BadJsonAndWrongContentTypeAre400) {
  std::string bad = "{\"event\":\"secrets.modified\",";
  std::string sig = SignatureHeaderValue(SecretValue(std::string(kKey)), bad,
                                         absl::ToUnixMillis(clock_.TimeNow()));
  signatures_.push_back(sig);
  EXPECT_EQ(Exchange(Request(bad, "application/json", sig)), 400) << "bad JSON";
  std::string body = Body();
  EXPECT_EQ(Exchange(Request(body, "text/plain", Sign(body))), 400) << "content type";
  EXPECT_EQ(Exchange(Request(body, "", Sign(body))), 400) << "no content type";
  EXPECT_EQ(Delivered(), 0u);
}

TEST_F(WebhookReceiverTest, AnOversizedBodyIs413) {
  std::string body = Body();
  body.insert(body.size() - 1, std::string(5000, ' '));
  EXPECT_EQ(Exchange(Request(body, "application/json", Sign(body))), 413);
  EXPECT_EQ(Delivered(), 0u);
}

TEST_F(WebhookReceiverTest, EachRefusalReachesOnRefusedWithItsStatus) {
  std::string big = Body();
  big.insert(big.size() - 1, std::string(5000, ' '));
  EXPECT_EQ(Exchange(Request(big, "application/json", Sign(big))), 413);
  std::string body = Body();
  EXPECT_EQ(Exchange(Request(body, "application/json", "")), 401);
  EXPECT_EQ(Exchange(Request(body, "text/plain", Sign(body))), 400);
  std::string ok = Body(1);
  EXPECT_EQ(Exchange(Request(ok, "application/json", Sign(ok))), 202);
  EXPECT_EQ(Exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
  absl::MutexLock lock(&mu_);
  // httplib calls its logger before closing the connection; allow for a
  // reply read before the call all the same.
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](std::vector<int>* r) { return r->size() >= 3; }, &refused_),
                       absl::Seconds(5));
  EXPECT_THAT(refused_, ::testing::ElementsAre(413, 401, 400));
}

TEST_F(WebhookReceiverTest, AnEndlessChunkedBodyIsCutOff) {
  RawConnection conn(port_);
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.Send(
      "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"));
  // The writer stops when the server closes; 64 MiB is far past what an
  // unbounded buffer would hold before the test notices.
  std::atomic<size_t> sent{0};
  std::thread writer([&] {
    std::string chunk = absl::StrCat("1000\r\n", std::string(4096, 'x'), "\r\n");
    while (sent < (size_t{64} << 20) && conn.Send(chunk)) sent += chunk.size();
  });
  std::string reply = conn.ReadToClose();
  writer.join();
  int status = StatusOf(reply);
  EXPECT_TRUE(status == 413 || status == 0) << reply;  // 0: reset before the reply was read
  EXPECT_LT(sent.load(), size_t{64} << 20);
  EXPECT_EQ(Delivered(), 0u);
}

TEST_F(WebhookReceiverTest, ASlowLorisClientIsDisconnected) {
  RawConnection conn(port_);
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.Send("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Ty"));
  // Nothing more is sent: at the read timeout (1 s here) httplib answers 400
  // to the partial request and closes the connection.
  EXPECT_THAT(StatusOf(conn.ReadToClose()), ::testing::AnyOf(0, 400));
  // The receiver still serves others.
  std::string body = Body();
  EXPECT_EQ(Exchange(Request(body, "application/json", Sign(body))), 202);
  EXPECT_EQ(Delivered(), 1u);
}

TEST_F(WebhookReceiverTest, AStalledBodyIsDisconnectedWithoutACallback) {
  std::string body = Body();
  std::string request = Request(body, "application/json", Sign(body));
  RawConnection conn(port_);
  ASSERT_TRUE(conn.connected());
  ASSERT_TRUE(conn.Send(request.substr(0, request.size() - 10)));
  std::string reply = conn.ReadToClose();
  EXPECT_NE(StatusOf(reply), 202);
  EXPECT_EQ(Delivered(), 0u);
}

TEST(WebhookReceiverCreateTest, RefusesHalfATlsPairAndZeroThreads) {
  FakeClock clock;
  RealFilesystem fs;
  NullLogSink log;
  WebhookVerifier verifier(clock, VerifierOptions{});
  ReceiverOptions half;
  half.tls_cert_path = "/nonexistent/cert.pem";
  auto noop = [](const Delivery&, const std::string&) {};
  EXPECT_FALSE(WebhookReceiver::Create(half, verifier, noop, clock, fs, log).ok());
  half.tls_key_path = "/nonexistent/key.pem";
  EXPECT_FALSE(WebhookReceiver::Create(half, verifier, noop, clock, fs, log).ok());
  ReceiverOptions zero;
  zero.threads = 0;
  EXPECT_FALSE(WebhookReceiver::Create(zero, verifier, noop, clock, fs, log).ok());
  auto plain = WebhookReceiver::Create(ReceiverOptions{}, verifier, noop, clock, fs, log);
  ASSERT_THAT(plain, IsOk());
  EXPECT_FALSE((*plain)->tls());
  EXPECT_EQ((*plain)->ReloadTls().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace webhook
}  // namespace secretsync

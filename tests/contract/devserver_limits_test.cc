// Contract tests of the real devserver binary for what a hostile or
// overloaded exchange looks like: request bodies over --max-request-bytes
// (413, never buffered), rate limiting in Infisical Cloud's and self-hosted
// Infisical's shapes, and the replies real Infisical gives for a wrong project
// slug or environment.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/testing/infisical_reply_shapes.h"
#include "nlohmann/json.hpp"
#include "tests/contract/devserver_process.h"

namespace secretsync {
namespace {

using Json = nlohmann::ordered_json;
using ::secretsync::testing::DevServerProcess;
using ::secretsync::testing::kErrorKeys;
using ::secretsync::testing::Keys;

constexpr char kCanary[] = "canary-l1mit-77c1";

constexpr char kSeed[] = R"pb(
  projects {
    id: "p1"
    slug: "glitchtip"
    name: "GlitchTip"
    environments { slug: "prod" }
    secrets { environment: "prod" key: "SECRET_KEY" value: "canary-l1mit-77c1" }
  }
  identities { client_id: "id" client_secret: "secret" project_ids: "p1" }
)pb";

struct Reply {
  int status = 0;
  std::string body;
  Json json;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// Peak resident set size of a process, from /proc/PID/status, in bytes.
int64_t PeakRssBytes(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, "VmHWM:")) continue;
    int64_t kb = 0;
    std::string digits;
    for (char c : line) {
      if (c >= '0' && c <= '9') digits.push_back(c);
    }
    if (absl::SimpleAtoi(digits, &kb)) return kb * 1024;
  }
  return -1;
}

class LimitsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ != nullptr) {
      std::string log = server_->stderr_text();
      EXPECT_FALSE(absl::StrContains(log, kCanary)) << log;
    }
  }

  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--seed",
                                     DevServerProcess::WriteTempFile("limits.textproto", kSeed)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = DevServerProcess::Start(args);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  Reply Do(const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& token = "") {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result res = method == "GET"
                              ? client.Get(path.c_str(), headers)
                              : client.Post(path.c_str(), headers, body, "application/json");
    Reply out;
    if (!res) return out;
    out.status = res->status;
    out.body = res->body;
    out.headers = res->headers;
    out.json = Json::parse(res->body, nullptr, false);
    return out;
  }

  std::string Login() {
    Reply r = Do("POST", "/api/v1/auth/universal-auth/login",
                 R"({"clientId":"id","clientSecret":"secret"})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json.is_object() ? r.json.value("accessToken", "") : "";
  }

  static void ExpectError(const Reply& r, int status, const std::string& error,
                          const std::string& message) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Keys(r.json), kErrorKeys) << r.body;
    if (!r.json.is_object()) return;
    EXPECT_EQ(r.json.value("statusCode", 0), status);
    EXPECT_EQ(r.json.value("error", ""), error) << r.body;
    EXPECT_EQ(r.json.value("message", ""), message) << r.body;
  }

  // POSTs a login body of `total` bytes (carrying the canary) over a raw
  // socket, with Content-Length or chunked, and returns the raw reply. Sending
  // stops early if the server closes the connection.
  std::string PostHugeLogin(size_t total, bool chunked) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return "";
    }
    std::string prefix = absl::StrCat(R"({"clientId":"id","clientSecret":")", kCanary);
    std::string suffix = "\"}";
    std::string head =
        "POST /api/v1/auth/universal-auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                    : absl::StrCat("Content-Length: ", total, "\r\n\r\n");
    auto send_all = [fd](const std::string& data) {
      for (size_t sent = 0; sent < data.size();) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
      }
      return true;
    };
    auto send_part = [&](const std::string& data) {
      return chunked ? send_all(absl::StrFormat("%x\r\n%s\r\n", data.size(), data))
                     : send_all(data);
    };
    bool open = send_all(head) && send_part(prefix);
    std::string filler(1 << 20, 'a');
    for (size_t left = total - prefix.size() - suffix.size(); open && left > 0;) {
      size_t n = std::min(left, filler.size());
      open = send_part(filler.substr(0, n));
      left -= n;
    }
    if (open) open = send_part(suffix);
    if (open && chunked) send_all("0\r\n\r\n");
    std::string reply;
    char buf[4096];
    timeval timeout{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    while (true) {
      size_t end = reply.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t cl = reply.find("Content-Length: ");
        size_t length = 0;
        if (cl != std::string::npos) {
          absl::SimpleAtoi(reply.substr(cl + 16, reply.find("\r\n", cl) - cl - 16), &length);
        }
        if (reply.size() >= end + 4 + length) break;
      }
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      reply.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return reply;
  }

  std::unique_ptr<DevServerProcess> server_;
};

TEST_F(LimitsTest, HugeBodiesAre413WithoutBufferingAndTheServerStillAnswers) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const size_t kBody = size_t{100} << 20;  // 100 MiB against the default 1 MiB limit
  int64_t idle = PeakRssBytes(server_->pid());
  ASSERT_GT(idle, 0);
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    std::string raw = PostHugeLogin(kBody, chunked);
    ASSERT_TRUE(absl::StartsWith(raw, "HTTP/1.1 413 ")) << raw.substr(0, 200);
    std::string body = raw.substr(raw.find("\r\n\r\n") + 4);
    Json j = Json::parse(body, nullptr, false);
    EXPECT_EQ(Keys(j), kErrorKeys) << body;
    EXPECT_EQ(j.value("statusCode", 0), 413);
    EXPECT_EQ(j.value("error", ""), "Payload Too Large");
    EXPECT_EQ(j.value("message", ""), "Request body is larger than 1048576 bytes");
    EXPECT_FALSE(absl::StrContains(raw, kCanary));
    // Buffering the body would add at least its size to the peak.
    int64_t grown = PeakRssBytes(server_->pid()) - idle;
    EXPECT_LT(grown, static_cast<int64_t>(kBody / 8)) << "peak RSS grew by " << grown;
  }
  EXPECT_EQ(Do("GET", "/api/status").status, 200);
  EXPECT_FALSE(Login().empty());
  EXPECT_TRUE(absl::StrContains(server_->stderr_text(), "refused=body_too_large"));
}

TEST_F(LimitsTest, BodiesUpToTheLimitAreServed) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--max-request-bytes", "4096"}));
  std::string padded = absl::StrCat(R"({"clientId":"nobody","clientSecret":")", kCanary, "\"}");
  padded.insert(padded.size() - 1, std::string(4096 - padded.size() - 1, ' '));
  padded.insert(padded.size() - 1, " ");
  ASSERT_EQ(padded.size(), 4096u);
  ExpectError(Do("POST", "/api/v1/auth/universal-auth/login", padded), 404, "NotFound",
              "No identity with specified client ID was found");
  Reply over = Do("POST", "/api/v1/auth/universal-auth/login", padded + " ");
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_FALSE(absl::StrContains(over.body, kCanary));
}

TEST_F(LimitsTest, RateLimitInInfisicalCloudShape) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--rate-limit-per-minute", "1"}));
  std::string token = Login();
  Reply limited = Do("GET", "/api/v3/secrets/raw?workspaceId=p1&environment=prod", "", token);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.json.value("error", ""), "RateLimitExceeded");
  EXPECT_FALSE(limited.Header("retry-after").empty());
  EXPECT_EQ(limited.Header("x-ratelimit-remaining"), "0");
}

TEST_F(LimitsTest, RateLimitInSelfHostedShape) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--rate-limit-per-minute", "1", "--rate-limit-status", "500"}));
  std::string token = Login();
  Reply limited = Do("GET", "/api/v3/secrets/raw?workspaceId=p1&environment=prod", "", token);
  ExpectError(limited, 500, "InternalServerError", "Something went wrong");
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(limited.Header("retry-after"), &retry_after)) << limited.body;
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 60);
  EXPECT_EQ(limited.Header("x-ratelimit-limit"), "1");
  EXPECT_EQ(limited.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.Header("x-ratelimit-reset"), limited.Header("retry-after"));
  EXPECT_FALSE(absl::StrContains(limited.body, kCanary));
  EXPECT_EQ(Do("GET", "/api/status").status, 200);  // exempt, as on the real server
}

TEST_F(LimitsTest, StatusFaultsCarryRetryAfterAndRateLimitHeaders) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"--enable-faults"}));
  Reply added = Do("POST", "/__devserver/faults",
                   R"({"mode":"status","status":500,"retryAfter":1,"rateLimitHeaders":true,)"
                   R"("message":"Something went wrong"})");
  ASSERT_EQ(added.status, 200) << added.body;
  Reply limited = Do("GET", "/api/status");
  ExpectError(limited, 500, "InternalServerError", "Something went wrong");
  EXPECT_EQ(limited.Header("Retry-After"), "1");
  EXPECT_EQ(limited.Header("x-ratelimit-remaining"), "0");
  EXPECT_FALSE(limited.Header("x-ratelimit-limit").empty());

  Do("POST", "/__devserver/faults", R"({"mode":"status","status":500,"retryAfter":1})");
  Reply plain = Do("GET", "/api/status");
  ExpectError(plain, 500, "InternalServerError", "Injected fault");
  EXPECT_EQ(plain.Header("Retry-After"), "1");
  EXPECT_EQ(plain.Header("x-ratelimit-remaining"), "");
}

TEST_F(LimitsTest, WrongProjectSlugAndEnvironmentAnswerLikeRealInfisical) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string token = Login();
  // October 2024: a DatabaseError named "Failed to find project by slug".
  Reply slug = Do("GET", "/api/v3/secrets/raw?workspaceSlug=nope&environment=prod", "", token);
  ExpectError(slug, 500, "Failed to find project by slug", "Something went wrong");
  Reply write = Do("POST", "/api/v3/secrets/raw/NEW",
                   R"({"workspaceSlug":"nope","environment":"prod","secretValue":"v"})", token);
  ExpectError(write, 500, "Failed to find project by slug", "Something went wrong");
  // A wrong environment finds no folder: 200 with no secrets.
  Reply env = Do("GET", "/api/v3/secrets/raw?workspaceSlug=glitchtip&environment=nope", "", token);
  EXPECT_EQ(env.status, 200);
  EXPECT_EQ(env.body, R"({"secrets":[],"imports":[]})");
  Reply right =
      Do("GET", "/api/v3/secrets/raw?workspaceSlug=glitchtip&environment=prod", "", token);
  EXPECT_EQ(right.status, 200);
  ASSERT_EQ(right.json["secrets"].size(), 1u);
}

}  // namespace
}  // namespace secretsync

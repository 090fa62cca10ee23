// HttpRequest/HttpResponse wipe the bytes they held (body, header values) when
// destroyed, and HttpRequestLabel never shows a query.
#include "lib/base/http_transport.h"

#include <cstring>
#include <new>
#include <string>
#include <type_traits>

#include "gtest/gtest.h"

namespace secretsync {
namespace {

constexpr char kCanary[] = "CANARY-bd41";  // short: kept in the object (SSO)

// Whether `canary` appears anywhere in the raw bytes of `storage`.
bool Contains(const unsigned char* storage, size_t size, const char* canary) {
  const size_t n = std::strlen(canary);
  for (size_t i = 0; i + n <= size; ++i) {
    if (std::memcmp(storage + i, canary, n) == 0) return true;
  }
  return false;
}

// The object's own bytes after its destructor ran: a short body lives inside
// the object (libstdc++'s small-string buffer), which std::string's destructor
// leaves as it was.
TEST(HttpTransportTest, ResponseDestructorWipesTheBody) {
  alignas(HttpResponse) unsigned char storage[sizeof(HttpResponse)];
  auto* reply = new (storage) HttpResponse;
  reply->status = 200;
  reply->body = kCanary;
  ASSERT_TRUE(Contains(storage, sizeof(storage), kCanary));
  reply->~HttpResponse();
  EXPECT_FALSE(Contains(storage, sizeof(storage), kCanary));
}

TEST(HttpTransportTest, RequestDestructorWipesTheBody) {
  alignas(HttpRequest) unsigned char storage[sizeof(HttpRequest)];
  auto* request = new (storage) HttpRequest;
  request->method = "POST";
  request->body = kCanary;
  ASSERT_TRUE(Contains(storage, sizeof(storage), kCanary));
  request->~HttpRequest();
  EXPECT_FALSE(Contains(storage, sizeof(storage), kCanary));
}

TEST(HttpTransportTest, MovedFromResponseIsWipedToo) {
  alignas(HttpResponse) unsigned char storage[sizeof(HttpResponse)];
  auto* reply = new (storage) HttpResponse;
  reply->body = kCanary;
  HttpResponse moved = std::move(*reply);
  EXPECT_EQ(moved.body, kCanary);
  reply->~HttpResponse();
  EXPECT_FALSE(Contains(storage, sizeof(storage), kCanary));
}

TEST(HttpTransportTest, WipeClearsBodyAndHeaderValuesButKeepsTheRest) {
  HttpRequest request;
  request.url = "https://infisical.test/api/v3/secrets/raw";
  request.headers.emplace_back("Authorization", "Bearer CANARY-token-5521");
  request.body = "{\"secretValue\":\"CANARY-value-5521\"}";
  request.Wipe();
  EXPECT_TRUE(request.body.empty());
  ASSERT_EQ(request.headers.size(), 1u);
  EXPECT_EQ(request.headers[0].first, "Authorization");
  EXPECT_TRUE(request.headers[0].second.empty());
  EXPECT_EQ(request.url, "https://infisical.test/api/v3/secrets/raw");
}

TEST(HttpTransportTest, CopiesKeepTheirBytes) {
  HttpResponse a;
  a.status = 201;
  a.body = "{}";
  HttpResponse b = a;
  HttpResponse c;
  c = b;
  EXPECT_EQ(c.status, 201);
  EXPECT_EQ(c.body, "{}");
  EXPECT_EQ(a.body, "{}");
}

TEST(HttpTransportTest, LabelDropsSchemeHostAndQuery) {
  EXPECT_EQ(HttpRequestLabel("GET", "https://h.test/api/v3/secrets/raw?workspaceId=p#x"),
            "GET /api/v3/secrets/raw");
}

}  // namespace
}  // namespace secretsync

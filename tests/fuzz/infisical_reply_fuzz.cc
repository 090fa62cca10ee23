// Fuzzes the JSON reply mapping of every Infisical endpoint InfisicalClient
// reads (list, get, create, update, delete of /api/v3/secrets/raw) over a
// FakeHttpTransport whose every reply is the fuzz input, and StatusFromHttp on
// the same reply. Invariants: no crash; no Status message carries the bearer
// token, the value being written, or the canary planted in reply bodies (the
// seed corpus puts it in secretValue); StatusFromHttp is OK exactly for 2xx.
//
// Input layout: byte 0 picks the HTTP status, byte 1 the scope's flags, the
// rest is the reply body.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/auth/token_provider.h"
#include "lib/base/http_transport.h"
#include "lib/base/secret_value.h"
#include "lib/http/http_status.h"
#include "lib/infisical/infisical_client.h"
#include "lib/testing/fake_http_transport.h"
#include "tests/fuzz/fuzz_check.h"

namespace secretsync {
namespace fuzz {
namespace {

constexpr char kToken[] = "Zq9-FUZZ-TOKEN-77c0";
constexpr char kWritten[] = "Zq9-FUZZ-WRITTEN-1d2e";

class FixedToken : public auth::TokenProvider {
 public:
  absl::StatusOr<SecretValue> Token() override { return SecretValue(absl::string_view(kToken)); }
  bool Invalidate() override { return true; }
};

void CheckClean(const absl::Status& s) {
  CheckMessageFree(s, kToken, "client error carries the token");
  CheckMessageFree(s, kWritten, "client error carries the written value");
  CheckMessageFree(s, kCanary, "client error carries a reply's secret value");
}

void FuzzOne(absl::string_view input) {
  if (input.size() < 2) return;
  static const int kStatuses[] = {200, 200, 200, 200, 201, 204, 400, 401,
                                  403, 404, 409, 422, 429, 500, 503, 302};
  HttpResponse reply;
  reply.status = kStatuses[static_cast<uint8_t>(input[0]) % 16];
  const uint8_t flags = static_cast<uint8_t>(input[1]);
  reply.headers.emplace_back("content-type", "application/json");
  reply.body = std::string(input.substr(2));

  absl::Status mapped = http::StatusFromHttp(reply, "GET /api/v3/secrets/raw");
  Check(mapped.ok() == (reply.status / 100 == 2), "StatusFromHttp is OK exactly for 2xx");
  if (reply.status / 100 == 2) {
    // A 2xx body carries secret values; StatusFromHttp must not read it.
  } else {
    http::HttpErrorInfo info = http::ParseHttpError(reply);
    // http_status.h promises at most kMaxErrorMessageBytes (this target once
    // found 203: regressions/infisical_reply_fuzz/message-over-cap).
    Check(info.message.size() <= http::kMaxErrorMessageBytes, "error message over its cap");
    for (char c : info.message) {
      Check(c >= 0x20 && c < 0x7f, "error message not printable ASCII");
    }
  }
  CheckMessageFree(mapped, kCanary, "StatusFromHttp quotes a secret value");

  FakeHttpTransport fake;
  for (const char* method : {"GET", "POST", "PATCH", "DELETE"}) fake.On(method, "/", reply);
  FixedToken auth;
  infisical::InfisicalClient client(fake, auth, {"https://infisical.test/api", nullptr});
  infisical::SecretScope scope;
  scope.project_id = "p1";
  scope.environment = "prod";
  scope.secret_path = (flags & 8) ? "/app/db" : "/";
  scope.include_imports = flags & 1;
  scope.expand_references = flags & 2;
  scope.recursive = flags & 4;

  auto list = client.List(scope);
  CheckClean(list.status());
  auto got = client.Get(scope, "DB_PASSWORD");
  CheckClean(got.status());
  SecretValue written{absl::string_view(kWritten)};
  CheckClean(client.Create(scope, "DB_PASSWORD", written, "fuzz"));
  CheckClean(client.Update(scope, "DB_PASSWORD", written));
  CheckClean(client.Delete(scope, "DB_PASSWORD"));
}

}  // namespace
}  // namespace fuzz
}  // namespace secretsync

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  secretsync::fuzz::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// ScramSha256Verifier against libpq's PQencryptPasswordConn on a real server:
// same salt -> same verifier, and a verifier set with ALTER ROLE logs in.
#include <openssl/evp.h>
#include <postgresql/libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/random_source.h"
#include "lib/postgres/scram_verifier.h"
#include "lib/testing/postgres_server.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::PostgresServer;
using ::testing::ElementsAre;

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};

std::unique_ptr<PGconn, ConnCloser> Connect(const PostgresServer& s, const std::string& user,
                                            const std::string& password) {
  std::string port = absl::StrCat(s.port());
  const char* keys[] = {"host", "port", "user", "password", "dbname", nullptr};
  const char* values[] = {"127.0.0.1", port.c_str(), user.c_str(), password.c_str(),
                          "glitchtip", nullptr};
  return std::unique_ptr<PGconn, ConnCloser>(PQconnectdbParams(keys, values, 0));
}

std::string DecodeBase64(const std::string& b64) {
  std::string out(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&out[0]),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  size_t pad = 0;
  while (pad < b64.size() && b64[b64.size() - 1 - pad] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

TEST(ScramVerifierLibpqTest, SameSaltGivesLibpqsVerifier) {
  auto server = PostgresServer::Start();
  ASSERT_THAT(server, IsOk());
  auto conn = Connect(**server, "postgres", (*server)->superuser_password());
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK);
  const std::vector<std::string> passwords = {"pencil", "Glitch-Tip 2024!",
                                              "quote'back\\slash\"dq$1:%",
                                              std::string(200, 'z'), "\x01\x7f ctl"};
  for (const std::string& pw : passwords) {
    SCOPED_TRACE(pw.size());
    char* v = PQencryptPasswordConn(conn.get(), pw.c_str(), "glitchtip_maintainer",
                                    "scram-sha-256");
    ASSERT_NE(v, nullptr);
    std::string libpq(v);
    PQfreemem(v);
    // SCRAM-SHA-256$4096:<salt>$...
    std::vector<std::string> parts = absl::StrSplit(libpq, absl::ByAnyChar("$:"));
    ASSERT_EQ(parts.size(), 5u);
    EXPECT_THAT(ScramSha256Verifier(SecretValue(pw), DecodeBase64(parts[2]), 4096),
                IsOkAndHolds(libpq));
  }
}

TEST(ScramVerifierLibpqTest, OpenSslVerifierSetOnTheServerLogsIn) {
  auto server = PostgresServer::Start();
  ASSERT_THAT(server, IsOk());
  PostgresServer& s = **server;
  OsRandomSource random;
  const std::string pw = "CANARY-scram-e2e-Pw-1";
  auto verifier = ScramSha256Verifier(SecretValue(pw), random);
  ASSERT_THAT(verifier, IsOk());
  ASSERT_THAT(s.Query(absl::StrCat("ALTER ROLE glitchtip_maintainer PASSWORD '", *verifier, "'")),
              IsOk());
  auto stored = s.Query(
      "SELECT rolpassword FROM pg_authid WHERE rolname = 'glitchtip_maintainer'");
  ASSERT_THAT(stored, IsOk());
  EXPECT_THAT(*stored, ElementsAre(ElementsAre(*verifier)));  // stored as is, not re-hashed
  EXPECT_EQ(PQstatus(Connect(s, "glitchtip_maintainer", pw).get()), CONNECTION_OK);
  EXPECT_NE(PQstatus(Connect(s, "glitchtip_maintainer", "Initial-Maintainer-Pw-1").get()),
            CONNECTION_OK);
  auto log = s.ReadLog();
  ASSERT_THAT(log, IsOk());
  EXPECT_THAT(*log, ::testing::Not(::testing::HasSubstr("CANARY-scram-e2e")));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

// Tests for InfisicalClient over FakeHttpTransport: requests sent, replies
// parsed and merged, error mapping, re-login, approvals, canaries.
#include "lib/infisical/infisical_client.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/exit_codes.h"
#include "lib/auth/static_token_provider.h"
#include "lib/testing/fake_http_transport.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace infisical {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

constexpr char kCanary[] = "CANARY-v4lue-8c1d";

// Hands out tok-1, tok-2, ... and counts Invalidate() calls.
class CountingTokenProvider : public auth::TokenProvider {
 public:
  absl::StatusOr<SecretValue> Token() override {
    return SecretValue(absl::StrCat("tok-", generation_));
  }
  bool Invalidate() override {
    ++generation_;
    ++invalidations;
    return true;
  }
  int invalidations = 0;

 private:
  int generation_ = 1;
};

std::string RawSecret(absl::string_view key, absl::string_view value, absl::string_view type = "shared",
                      absl::string_view path = "/") {
  return absl::StrCat(R"({"id":"i","_id":"i","workspace":"p1","environment":"prod","version":3,"type":")",
                      type, R"(","secretKey":")", key, R"(","secretValue":")", value,
                      R"(","secretComment":"","secretReminderNote":null,"skipMultilineEncoding":false,)",
                      R"("createdAt":"2026-01-02T03:04:05.000Z","updatedAt":"2026-01-05T03:04:05.000Z",)",
                      R"("secretPath":")", path, R"(","tags":[{"id":"t","slug":"db"}]})");
}

std::string Header(const HttpRequest& r, absl::string_view name) {
  for (const auto& h : r.headers) {
    if (h.first == name) return h.second;
  }
  return "";
}

class InfisicalClientTest : public ::testing::Test {
 protected:
  InfisicalClientTest() : client_(fake_, auth_, ClientOptions{"https://infisical.test/api", &log_}) {
    scope_.project_id = "p1";
    scope_.environment = "prod";
    scope_.secret_path = "/app";
  }
  std::vector<std::string> Names(const std::vector<SecretRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.name);
    return out;
  }
  FakeHttpTransport fake_;
  CountingTokenProvider auth_;
  CapturingLogSink log_;
  InfisicalClient client_;
  SecretScope scope_;
};

TEST_F(InfisicalClientTest, ListSendsEveryParameterExplicitlyWithBearerToken) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[]})"));
  scope_.secret_path = "/my app/ü";
  scope_.include_imports = true;
  ASSERT_THAT(client_.List(scope_), IsOk());
  ASSERT_EQ(fake_.request_count(), 1u);
  HttpRequest r = fake_.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.url,
            "https://infisical.test/api/v3/secrets/raw?workspaceId=p1&environment=prod"
            "&secretPath=%2Fmy%20app%2F%C3%BC&recursive=false&include_imports=true"
            "&includeImports=true&expandSecretReferences=false&viewSecretValue=true");
  EXPECT_EQ(Header(r, "Authorization"), "Bearer tok-1");
  EXPECT_THAT(r.url, Not(HasSubstr("tok-1")));
}

TEST_F(InfisicalClientTest, ListUsesWorkspaceSlugWithoutProjectId) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[]})"));
  scope_.project_id = "";
  scope_.project_slug = "my-app";
  ASSERT_THAT(client_.List(scope_), IsOk());
  EXPECT_THAT(fake_.requests()[0].url, HasSubstr("?workspaceSlug=my-app&"));
}

TEST_F(InfisicalClientTest, ListConvertsWireToRecords) {
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(200, absl::StrCat(R"({"secrets":[)", RawSecret("DB_PASS", kCanary, "shared", "/app"),
                                       "]}")));
  auto list = client_.List(scope_);
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->size(), 1u);
  const SecretRecord& r = (*list)[0];
  EXPECT_EQ(r.name, "DB_PASS");
  EXPECT_EQ(r.value.Expose(), kCanary);
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(r.environment, "prod");
  EXPECT_EQ(r.secret_path, "/app");
  EXPECT_EQ(r.updated_at, absl::FromUnixSeconds(1767582245));
}

TEST_F(InfisicalClientTest, ListMergesImportsLikeTheCli) {
  std::string body = absl::StrCat(
      R"({"secrets":[)", RawSecret("OWN", "own"), ",", RawSecret("BOTH", "own-wins"), ",",
      RawSecret("PERSONAL", "shared"), ",", RawSecret("PERSONAL", "personal-wins", "personal"),
      R"(],"imports":[{"secretPath":"/first","environment":"prod","folderId":"f1","secrets":[)",
      RawSecret("BOTH", "import-1"), ",", RawSecret("IMPORTED", "first-import"), ",",
      RawSecret("ONLY_FIRST", "only-first"),
      R"(]},{"secretPath":"/second","environment":"prod","folderId":"f2","secrets":[)",
      RawSecret("IMPORTED", "last-import-wins", "shared", "/second"), "]}]}");
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, body));
  scope_.include_imports = true;
  auto list = client_.List(scope_);
  ASSERT_THAT(list, IsOk());
  EXPECT_THAT(Names(*list), ElementsAre("BOTH", "IMPORTED", "ONLY_FIRST", "OWN", "PERSONAL"));
  EXPECT_EQ((*list)[0].value.Expose(), "own-wins");
  EXPECT_EQ((*list)[1].value.Expose(), "last-import-wins");
  EXPECT_EQ((*list)[1].secret_path, "/second");
  EXPECT_EQ((*list)[2].value.Expose(), "only-first");
  EXPECT_EQ((*list)[4].value.Expose(), "personal-wins");
}

TEST_F(InfisicalClientTest, ListKeepsTheFirstSharedAndTheLastPersonalRowOfAName) {
  std::string body = absl::StrCat(
      R"({"secrets":[)", RawSecret("Z_SHARED", "first"), ",", RawSecret("A_PERSONAL", "p1", "personal"),
      ",", RawSecret("Z_SHARED", "second"), ",", RawSecret("A_PERSONAL", "p2", "personal"), ",",
      RawSecret("M_BOTH", "shared"), ",", RawSecret("M_BOTH", "personal", "personal"), "]}");
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, body));
  auto list = client_.List(scope_);
  ASSERT_THAT(list, IsOk());
  EXPECT_THAT(Names(*list), ElementsAre("A_PERSONAL", "M_BOTH", "Z_SHARED"));
  EXPECT_EQ((*list)[0].value.Expose(), "p2");
  EXPECT_EQ((*list)[1].value.Expose(), "personal");
  EXPECT_EQ((*list)[2].value.Expose(), "first");
}

TEST_F(InfisicalClientTest, ListReadsUpdatedAtInEveryRfc3339Form) {
  const std::vector<std::pair<std::string, absl::Time>> cases = {
      {"2026-01-05T03:04:05.000Z", absl::FromUnixSeconds(1767582245)},
      {"2026-01-05T03:04:05.123Z", absl::FromUnixMillis(1767582245123)},
      {"2026-01-05T03:04:05Z", absl::FromUnixSeconds(1767582245)},
      {"2026-01-05T05:04:05.5+02:00", absl::FromUnixMillis(1767582245500)},
      {"2024-02-29T00:00:00.000Z", absl::FromUnixSeconds(1709164800)},
      {"2026-02-30T00:00:00.000Z", absl::InfinitePast()},
      {"2026-13-01T00:00:00.000Z", absl::InfinitePast()},
      {"2026-01-05T24:00:00.000Z", absl::InfinitePast()},
      {"yesterday", absl::InfinitePast()},
      {"", absl::InfinitePast()},
  };
  for (const auto& [text, want] : cases) {
    FakeHttpTransport fake;
    fake.On("GET", "/api/v3/secrets/raw",
            JsonReply(200, absl::StrCat(R"({"secrets":[{"secretKey":"K","secretValue":"v",)",
                                        R"("updatedAt":")", text, R"("}]})")));
    InfisicalClient client(fake, auth_, ClientOptions{"https://infisical.test/api", &log_});
    auto list = client.List(scope_);
    ASSERT_THAT(list, IsOk());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].updated_at, want) << text;
  }
}

TEST_F(InfisicalClientTest, UnknownFolderIsAnEmptyList) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[],"imports":[]})"));
  EXPECT_THAT(client_.List(scope_), ::secretsync::testing::IsOkAndHolds(IsEmpty()));
}

TEST_F(InfisicalClientTest, MalformedAndTruncatedRepliesAreInvalidArgumentWithoutBytes) {
  const std::string full = absl::StrCat(R"({"secrets":[)", RawSecret("K", kCanary), "]}");
  for (const std::string& body :
       {full.substr(0, full.size() / 2), absl::StrCat("{\"secrets\":", kCanary, "}"),
        std::string("<html>bad gateway</html>"), absl::StrCat(R"({"secrets":")", kCanary, R"("})")}) {
    FakeHttpTransport fake;
    fake.On("GET", "/api/v3/secrets/raw", JsonReply(200, body));
    InfisicalClient client(fake, auth_, ClientOptions{"https://infisical.test/api", &log_});
    auto list = client.List(scope_);
    EXPECT_THAT(list, StatusIs(absl::StatusCode::kInvalidArgument,
                               "malformed reply from GET /api/v3/secrets/raw"))
        << body;
  }
}

TEST_F(InfisicalClientTest, MapsErrorStatuses) {
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(404, R"({"reqId":"req-1","statusCode":404,"message":"Environment with slug 'prod' in project with ID p1 not found","error":"NotFound"})"));
  EXPECT_THAT(client_.List(scope_),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("GET /api/v3/secrets/raw: HTTP 404: Environment with slug")));
}

TEST_F(InfisicalClientTest, ReLogsInOnceOn401AndRepeats) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(401, R"({"message":"Token missing"})"));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[]})"));
  ASSERT_THAT(client_.List(scope_), IsOk());
  ASSERT_EQ(fake_.request_count(), 2u);
  EXPECT_EQ(Header(fake_.requests()[0], "Authorization"), "Bearer tok-1");
  EXPECT_EQ(Header(fake_.requests()[1], "Authorization"), "Bearer tok-2");
  EXPECT_EQ(auth_.invalidations, 1);
  EXPECT_THAT(log_.Joined(), HasSubstr("infisical.relogin"));
  EXPECT_THAT(log_.Joined(), Not(HasSubstr("tok-")));
}

TEST_F(InfisicalClientTest, ReLogsInOnlyOnce) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(401, R"({"message":"Invalid credentials"})"));
  EXPECT_THAT(client_.List(scope_), StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("HTTP 401")));
  EXPECT_EQ(fake_.request_count(), 2u);
  EXPECT_EQ(auth_.invalidations, 1);
}

TEST_F(InfisicalClientTest, ReLogsInOn403TokenError) {
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(403, R"({"message":"Your token has expired. Please re-authenticate.","error":"TokenError"})"));
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, R"({"secrets":[]})"));
  EXPECT_THAT(client_.List(scope_), IsOk());
  EXPECT_EQ(auth_.invalidations, 1);
}

TEST_F(InfisicalClientTest, OtherForbiddenIsPermissionDeniedWithoutRelogin) {
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(403, R"({"message":"You are not allowed to read on secrets","error":"PermissionDenied"})"));
  EXPECT_THAT(client_.List(scope_), StatusIs(absl::StatusCode::kPermissionDenied,
                                             HasSubstr("not allowed")));
  EXPECT_EQ(fake_.request_count(), 1u);
  EXPECT_EQ(auth_.invalidations, 0);
}

TEST_F(InfisicalClientTest, FixedTokenIsNotRepeated) {
  auth::StaticTokenProvider fixed{SecretValue{std::string(kCanary)}};
  InfisicalClient client(fake_, fixed, ClientOptions{"https://infisical.test/api", &log_});
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(401, R"({"message":"Invalid"})"));
  auto list = client.List(scope_);
  EXPECT_THAT(list, StatusIs(absl::StatusCode::kUnauthenticated, Not(HasSubstr(kCanary))));
  EXPECT_EQ(fake_.request_count(), 1u);
}

TEST_F(InfisicalClientTest, GetEscapesNameAndMapsNotFound) {
  fake_.On("GET", "/api/v3/secrets/raw/", JsonReply(404, R"({"message":"Secret with name 'A B' not found"})"));
  EXPECT_THAT(client_.Get(scope_, "A B"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("A B")));
  EXPECT_THAT(fake_.requests()[0].url,
              HasSubstr("/api/v3/secrets/raw/A%20B?workspaceId=p1&environment=prod"));
  EXPECT_THAT(fake_.requests()[0].url, HasSubstr("&type=shared"));
}

TEST_F(InfisicalClientTest, GetReturnsTheSecret) {
  fake_.On("GET", "/api/v3/secrets/raw/DB",
           JsonReply(200, absl::StrCat(R"({"secret":)", RawSecret("DB", kCanary), "}")));
  auto got = client_.Get(scope_, "DB");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->value.Expose(), kCanary);
  fake_.On("GET", "/api/v3/secrets/raw/NO_SECRET_KEY", JsonReply(200, R"({"approval":{}})"));
  EXPECT_THAT(client_.Get(scope_, "NO_SECRET_KEY"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("malformed")));
}

TEST_F(InfisicalClientTest, RejectsBadNamesAndScopesBeforeSending) {
  EXPECT_THAT(client_.Get(scope_, "a/b"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a/b")));
  EXPECT_THAT(client_.Delete(scope_, ""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
  SecretScope empty;
  EXPECT_THAT(client_.List(empty), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("project")));
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(InfisicalClientTest, CreatePostsJsonBody) {
  fake_.On("POST", "/api/v3/secrets/raw/DB_PASS", JsonReply(200, absl::StrCat(R"({"secret":)", RawSecret("DB_PASS", "x"), "}")));
  ASSERT_THAT(client_.Create(scope_, "DB_PASS", SecretValue(std::string("v\"1")), "db"), IsOk());
  HttpRequest r = fake_.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://infisical.test/api/v3/secrets/raw/DB_PASS");
  EXPECT_EQ(r.body,
            R"({"workspaceId":"p1","environment":"prod","secretPath":"/app","secretValue":"v\"1","secretComment":"db","type":"shared"})");
}

TEST_F(InfisicalClientTest, CreateOfExistingNameIsAlreadyExists) {
  fake_.On("POST", "/api/v3/secrets/raw/DB",
           JsonReply(400, R"({"statusCode":400,"message":"Secret already exist","error":"BadRequest"})"));
  EXPECT_THAT(client_.Create(scope_, "DB", SecretValue{std::string(kCanary)}, ""),
              StatusIs(absl::StatusCode::kAlreadyExists, "POST /api/v3/secrets/raw/DB: secret DB already exists"));
  fake_.On("POST", "/api/v3/secrets/raw/X",
           JsonReply(400, R"({"statusCode":400,"message":"Referenced secret(s) not found: K"})"));
  EXPECT_THAT(client_.Create(scope_, "X", SecretValue{std::string(kCanary)}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Referenced")));
}

TEST_F(InfisicalClientTest, ApprovalRepliesAreFailedPrecondition) {
  fake_.On("POST", "/api/v3/secrets/raw/", JsonReply(200, R"({"approval":{"id":"a1","status":"open"}})"));
  fake_.On("PATCH", "/api/v3/secrets/raw/", JsonReply(200, R"({"approval":{"id":"a1"}})"));
  fake_.On("DELETE", "/api/v3/secrets/raw/", JsonReply(200, R"({"approval":{"id":"a1"}})"));
  SecretValue v{std::string(kCanary)};
  EXPECT_THAT(client_.Create(scope_, "A", v, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("change needs approval")));
  EXPECT_THAT(client_.Update(scope_, "A", v),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("change needs approval")));
  EXPECT_THAT(client_.Delete(scope_, "A"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("change needs approval")));
  // Exit 77 (permission refused), not 78 (bad config).
  EXPECT_EQ(ExitCodeFromStatus(client_.Update(scope_, "A", v)), kExitNoPerm);
}

TEST_F(InfisicalClientTest, UpdateSendsEmptyValueExplicitly) {
  fake_.On("PATCH", "/api/v3/secrets/raw/A", JsonReply(200, absl::StrCat(R"({"secret":)", RawSecret("A", ""), "}")));
  ASSERT_THAT(client_.Update(scope_, "A", SecretValue(std::string())), IsOk());
  EXPECT_EQ(fake_.requests()[0].method, "PATCH");
  EXPECT_THAT(fake_.requests()[0].body, HasSubstr(R"("secretValue":"")"));
}

TEST_F(InfisicalClientTest, UpdateOfMissingSecretIsNotFound) {
  fake_.On("PATCH", "/api/v3/secrets/raw/A", JsonReply(404, R"({"message":"Secret with name A not found"})"));
  EXPECT_THAT(client_.Update(scope_, "A", SecretValue{std::string(kCanary)}),
              StatusIs(absl::StatusCode::kNotFound, Not(HasSubstr(kCanary))));
}

TEST_F(InfisicalClientTest, DeleteSendsJsonBody) {
  fake_.On("DELETE", "/api/v3/secrets/raw/A", JsonReply(200, absl::StrCat(R"({"secret":)", RawSecret("A", "x"), "}")));
  ASSERT_THAT(client_.Delete(scope_, "A"), IsOk());
  HttpRequest r = fake_.requests()[0];
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.url, "https://infisical.test/api/v3/secrets/raw/A");
  EXPECT_EQ(r.body, R"({"workspaceId":"p1","environment":"prod","secretPath":"/app","type":"shared"})");
}

TEST_F(InfisicalClientTest, CanaryNeverInStatusesOrLogs) {
  // Every failure path with the canary in the reply body or the request.
  std::vector<absl::Status> statuses;
  const std::string secret_body = absl::StrCat(R"({"secrets":[)", RawSecret("K", kCanary), "]");
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, secret_body));
  statuses.push_back(client_.List(scope_).status());
  fake_.On("POST", "/api/v3/secrets/raw/K",
           JsonReply(500, absl::StrCat(R"({"message":{"echo":")", kCanary, R"("}})")));
  statuses.push_back(client_.Create(scope_, "K", SecretValue{std::string(kCanary)}, ""));
  fake_.On("PATCH", "/api/v3/secrets/raw/K", absl::UnavailableError("PATCH /api/v3/secrets/raw/K: reset"));
  statuses.push_back(client_.Update(scope_, "K", SecretValue{std::string(kCanary)}));
  for (const absl::Status& s : statuses) {
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(std::string(s.message()), Not(HasSubstr(kCanary))) << s;
  }
  EXPECT_THAT(log_.Joined(), Not(HasSubstr(kCanary)));
}

// A body of `n` minimal secret rows, each carrying the canary as its value.
std::string ManySecrets(size_t n) {
  std::string body = "{\"secrets\":[";
  body.reserve(n * 64);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) body += ",";
    absl::StrAppend(&body, "{\"secretKey\":\"K", i, "\",\"secretValue\":\"", kCanary, "\"}");
  }
  body += "]}";
  return body;
}

TEST_F(InfisicalClientTest, RefusesAListReplyOverTheDefaultLimitBeforeParsing) {
  fake_.On("GET", "/api/v3/secrets/raw", JsonReply(200, ManySecrets(kMaxSecretsPerReply + 1)));
  auto list = client_.List(scope_);
  EXPECT_THAT(list, StatusIs(absl::StatusCode::kOutOfRange,
                             AllOf(HasSubstr("GET /api/v3/secrets/raw"),
                                   HasSubstr("more than 100000 secrets"), Not(HasSubstr(kCanary)))));
  EXPECT_EQ(ExitCodeFromStatus(list.status()), kExitDataErr);
}

TEST_F(InfisicalClientTest, SecretLimitCountsImportsAndAllowsExactlyTheLimit) {
  ClientOptions options{"https://infisical.test/api", nullptr};
  options.max_secrets_per_reply = 3;
  InfisicalClient client(fake_, auth_, options);
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(200, R"({"secrets":[{"secretKey":"A","secretValue":"a"},{"secretKey":"B","secretValue":"\"secretKey\""}],
                             "imports":[{"secretPath":"/s","secrets":[{"secretKey":"C","secretValue":"c"}]}]})"));
  fake_.On("GET", "/api/v3/secrets/raw",
           JsonReply(200, R"({"secrets":[{"secretKey":"A","secretValue":"a"},{"secretKey":"B","secretValue":"b"}],
                             "imports":[{"secretPath":"/s","secrets":[{"secretKey":"C","secretValue":"c"},{"secretKey":"D","secretValue":"d"}]}]})"));
  auto three = client.List(scope_);
  ASSERT_THAT(three, IsOk());
  EXPECT_EQ(three->size(), 3u);
  EXPECT_THAT(client.List(scope_),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("more than 3 secrets")));
}

}  // namespace
}  // namespace infisical
}  // namespace secretsync

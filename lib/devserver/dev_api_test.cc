// Tests for DevApi without sockets: every endpoint's JSON, status codes and
// errors against docs/infisical-api.md.
#include "lib/devserver/dev_api.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/base/log.h"
#include "lib/base/random_source.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/infisical_reply_shapes.h"
#include "nlohmann/json.hpp"

namespace secretsync {
namespace devserver {
namespace {

namespace v1 = ::secretsync::v1;
using Json = nlohmann::ordered_json;
using ::secretsync::testing::kErrorKeys;
using ::secretsync::testing::Keys;
using ::secretsync::testing::kImportedRowKeys;
using ::secretsync::testing::kReadRowKeys;
using ::secretsync::testing::kWriteRowKeys;

constexpr char kCanary[] = "canary-s3cr3t-c4n4ry";
constexpr char kP1[] = "p1";

constexpr char kSeed[] = R"pb(
  projects {
    id: "p1"
    slug: "app"
    name: "App"
    environments { slug: "dev" name: "Development" }
    environments { slug: "prod" }
    folders: "dev:/empty"
    secrets { environment: "dev" key: "DB_PASS" value: "canary-s3cr3t-c4n4ry" comment: "db" }
    secrets { environment: "dev" key: "SHARED" value: "from-folder" }
    secrets { environment: "dev" path: "/db" key: "HOST" value: "db.local" }
    secrets { environment: "dev" key: "URL" value: "pg://${dev.db.HOST}/${MISSING}" }
    secrets { environment: "dev" key: "MULTI" value: "a\n${SHARED}" skip_multiline_encoding: true }
    secrets { environment: "prod" path: "/shared" key: "SHARED" value: "from-import-1" }
    secrets { environment: "prod" path: "/shared" key: "IMPORTED" value: "i1" }
    secrets { environment: "prod" path: "/shared2" key: "IMPORTED" value: "i2" }
    imports { environment: "dev" path: "/" from_environment: "prod" from_path: "/shared" }
    imports { environment: "dev" path: "/" from_environment: "prod" from_path: "/shared2" }
  }
  projects {
    id: "p2"
    slug: "other"
    environments { slug: "dev" }
  }
  identities { client_id: "rw" client_secret: "rw-secret" project_ids: "p1" }
  identities { client_id: "ro" client_secret: "s" project_ids: "p1" read_only: true }
  identities {
    client_id: "short"
    client_secret: "s"
    project_ids: "p1"
    access_token_ttl_seconds: 60
    access_token_max_ttl_seconds: 100
  }
  identities {
    client_id: "twice"
    client_secret: "s"
    project_ids: "p1"
    access_token_num_uses_limit: 2
  }
  identities {
    client_id: "forever"
    client_secret: "s"
    project_ids: "p1"
    access_token_ttl_seconds: 0
    access_token_max_ttl_seconds: 0
  }
  service_tokens {
    token: "st.ro.sec"
    project_id: "p1"
    scopes { environment: "dev" secret_path: "/" }
    permissions: "read"
  }
  service_tokens {
    token: "st.rw.sec"
    project_id: "p1"
    scopes { environment: "dev" secret_path: "/**" }
    scopes { environment: "prod" secret_path: "/**" }
    permissions: "read"
    permissions: "write"
  }
  service_tokens {
    token: "st.old.sec"
    project_id: "p1"
    scopes { environment: "dev" secret_path: "/" }
    permissions: "read"
    expires_at_unix: 1700000000
  }
)pb";

struct Reply {
  int status = 0;
  Json body;
  ApiResponse raw;
};

class DevApiTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(DevApiOptions{}); }

  void Start(DevApiOptions options) {
    v1::DevSeed seed;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kSeed, &seed));
    auto store = DevStore::Create(seed, clock_, random_);
    ASSERT_TRUE(store.ok()) << store.status();
    api_ = std::make_unique<DevApi>(*std::move(store), clock_, random_, log_, options,
                                    [this](const v1::DevSeed& state) {
                                      ++persisted_;
                                      last_state_ = state;
                                      return persist_status_;
                                    });
  }

  void TearDown() override { EXPECT_FALSE(absl::StrContains(log_.Joined(), kCanary)); }

  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& token = "", std::map<std::string, std::string> headers = {}) {
    ApiRequest req;
    req.method = method;
    std::pair<std::string, std::string> split = absl::StrSplit(target, absl::MaxSplits('?', 1));
    req.path = split.first;
    for (absl::string_view kv : absl::StrSplit(split.second, '&', absl::SkipEmpty())) {
      std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      req.query.emplace(p.first, p.second);
    }
    req.headers = std::move(headers);
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    req.body = body;
    req.remote_addr = "127.0.0.1";
    Reply reply;
    reply.raw = api_->Handle(req);
    reply.status = reply.raw.status;
    if (!reply.raw.body.empty()) {
      reply.body = Json::parse(reply.raw.body, nullptr, false);
    }
    return reply;
  }

  std::string Login(const std::string& id, const std::string& secret = "s") {
    Reply r = Call("POST", "/api/v1/auth/universal-auth/login",
                   Json{{"clientId", id}, {"clientSecret", secret}}.dump());
    EXPECT_EQ(r.status, 200) << r.raw.body;
    return r.status == 200 ? r.body["accessToken"].get<std::string>() : "";
  }

  void ExpectError(const Reply& r, int status, const std::string& error,
                   const std::string& message) {
    EXPECT_EQ(r.status, status) << r.raw.body;
    EXPECT_EQ(Keys(r.body), kErrorKeys) << r.raw.body;
    EXPECT_EQ(r.body["statusCode"], status);
    EXPECT_EQ(r.body["error"], error) << r.raw.body;
    if (!message.empty()) {
      EXPECT_EQ(r.body["message"], message) << r.raw.body;
    }
    std::string req_id = r.body["reqId"].get<std::string>();
    EXPECT_EQ(req_id.size(), 18u);
    EXPECT_TRUE(absl::StartsWith(req_id, "req-"));
  }

  static std::string List(int version, const std::string& query) {
    return version == 3 ? "/api/v3/secrets/raw?workspaceId=p1&" + query
                        : "/api/v4/secrets?projectId=p1&" + query;
  }

  FakeClock clock_;
  OsRandomSource random_;
  CapturingLogSink log_;
  std::unique_ptr<DevApi> api_;
  int persisted_ = 0;
  v1::DevSeed last_state_;
  absl::Status persist_status_;
};

TEST_F(DevApiTest, StatusNeedsNoTokenAndHasDateAndMessage) {
  Reply r = Call("GET", "/api/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Keys(r.body),
            (std::vector<std::string>{"date", "message", "emailConfigured", "inviteOnlySignup",
                                      "redisConfigured", "secretScanningConfigured"}));
  EXPECT_EQ(r.body["message"], "Ok");
  EXPECT_EQ(r.body["date"], "2027-01-15T08:00:00.000Z");
}

TEST_F(DevApiTest, LoginReturnsTheFourTokenFields) {
  Reply r = Call("POST", "/api/v1/auth/universal-auth/login/",  // trailing slash as the CLI sends
                 R"({"clientId":" rw ","clientSecret":"rw-secret"})");
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(Keys(r.body), (std::vector<std::string>{"accessToken", "expiresIn", "accessTokenMaxTTL",
                                                    "tokenType"}));
  EXPECT_TRUE(absl::StartsWith(r.body["accessToken"].get<std::string>(), "eyJ"));
  EXPECT_EQ(r.body["expiresIn"], 2592000);
  EXPECT_EQ(r.body["accessTokenMaxTTL"], 2592000);
  EXPECT_EQ(r.body["tokenType"], "Bearer");
  EXPECT_EQ(persisted_, 1);
  EXPECT_EQ(last_state_.access_tokens_size(), 1);
}

TEST_F(DevApiTest, LoginFailures) {
  ExpectError(Call("POST", "/api/v1/auth/universal-auth/login",
                   R"({"clientId":"nobody","clientSecret":"x"})"),
              404, "NotFound", "No identity with specified client ID was found");
  ExpectError(Call("POST", "/api/v1/auth/universal-auth/login",
                   R"({"clientId":"rw","clientSecret":"wrong"})"),
              401, "UnauthorizedError", "Invalid credentials");
  Reply r = Call("POST", "/api/v1/auth/universal-auth/login", R"({"clientId":5})");
  ExpectError(r, 422, "ValidationFailure", "");
  ASSERT_TRUE(r.body["message"].is_array());
  ASSERT_EQ(r.body["message"].size(), 2u);
  EXPECT_EQ(r.body["message"][0],
            Json::parse(R"({"code":"invalid_type","expected":"string","received":"number",)"
                        R"("path":["clientId"],"message":"Expected string, received number"})"));
  EXPECT_EQ(r.body["message"][1],
            Json::parse(R"({"code":"invalid_type","expected":"string","received":"undefined",)"
                        R"("path":["clientSecret"],"message":"Required"})"));
  ExpectError(Call("POST", "/api/v1/auth/universal-auth/login", "{not json"), 400, "BadRequest",
              "");
}

TEST_F(DevApiTest, TokenErrorsSplit401And403) {
  std::string list = List(4, "environment=dev");
  ExpectError(Call("GET", list), 401, "UnauthorizedError", "Token missing");
  ExpectError(Call("GET", list, "", "garbage"), 403, "TokenError",
              "The provided access token is malformed. Please use a valid token or generate a "
              "new one and try again.");
  std::string token = Login("rw", "rw-secret");
  std::string bad_signature =
      token.substr(0, token.size() - 2) + (token.back() == 'A' ? "BB" : "AA");
  ExpectError(Call("GET", list, "", bad_signature), 403, "TokenError", "invalid signature");
  EXPECT_EQ(Call("GET", list, "", token).status, 200);
  Reply revoke = Call("POST", "/api/v1/auth/token/revoke", Json{{"accessToken", token}}.dump());
  EXPECT_EQ(revoke.status, 200);
  EXPECT_EQ(revoke.body, Json::parse(R"({"message":"Successfully revoked access token"})"));
  ExpectError(Call("GET", list, "", token), 401, "UnauthorizedError",
              "No identity access token found");
}

TEST_F(DevApiTest, ExpiredTokenIs403TokenError) {
  std::string token = Login("short");
  clock_.Advance(absl::Seconds(59));
  EXPECT_EQ(Call("GET", List(3, "environment=dev"), "", token).status, 200);
  clock_.Advance(absl::Seconds(1));
  ExpectError(Call("GET", List(3, "environment=dev"), "", token), 403, "TokenError",
              "Your token has expired. Please re-authenticate.");
}

TEST_F(DevApiTest, RenewIssuesANewTokenUntilMaxTtlThenDeletesIt) {
  std::string token = Login("short");
  clock_.Advance(absl::Seconds(30));
  Reply renewed = Call("POST", "/api/v1/auth/token/renew", Json{{"accessToken", token}}.dump());
  ASSERT_EQ(renewed.status, 200) << renewed.raw.body;
  std::string fresh = renewed.body["accessToken"].get<std::string>();
  EXPECT_NE(fresh, token);
  EXPECT_EQ(renewed.body["expiresIn"], 60);
  EXPECT_EQ(renewed.body["accessTokenMaxTTL"], 100);
  clock_.Advance(absl::Seconds(45));  // t=75: the old JWT is expired, the new one is not
  EXPECT_EQ(Call("GET", List(4, "environment=dev"), "", fresh).status, 200);
  ExpectError(Call("POST", "/api/v1/auth/token/renew", Json{{"accessToken", token}}.dump()), 403,
              "TokenError", "Your token has expired. Please re-authenticate.");
  // now + TTL (135) passes created + max TTL (100): refused, and the token dies.
  ExpectError(Call("POST", "/api/v1/auth/token/renew", Json{{"accessToken", fresh}}.dump()), 401,
              "UnauthorizedError", "Failed to renew MI access token past its Max TTL expiration");
  ExpectError(Call("GET", List(4, "environment=dev"), "", fresh), 401, "UnauthorizedError",
              "No identity access token found");
}

TEST_F(DevApiTest, UseLimitAndNonExpiringTokens) {
  std::string twice = Login("twice");
  EXPECT_EQ(Call("GET", List(4, "environment=dev"), "", twice).status, 200);
  EXPECT_EQ(Call("GET", List(4, "environment=dev"), "", twice).status, 200);
  ExpectError(Call("GET", List(4, "environment=dev"), "", twice), 401, "UnauthorizedError", "");

  Reply r = Call("POST", "/api/v1/auth/universal-auth/login",
                 R"({"clientId":"forever","clientSecret":"s"})");
  EXPECT_EQ(r.body["expiresIn"], 0);
  EXPECT_EQ(r.body["accessTokenMaxTTL"], 0);
  clock_.Advance(absl::Hours(24 * 3650));
  EXPECT_EQ(Call("GET", List(4, "environment=dev"), "", r.body["accessToken"]).status, 200);
}

TEST_F(DevApiTest, ListHasInfisicalRowsOnBothVersions) {
  std::string token = Login("rw", "rw-secret");
  for (int version : {3, 4}) {
    Reply r = Call("GET", List(version, "environment=dev&secretPath=/db/"), "", token);
    ASSERT_EQ(r.status, 200) << r.raw.body;
    EXPECT_EQ(Keys(r.body), std::vector<std::string>{"secrets"});  // no imports unless asked
    ASSERT_EQ(r.body["secrets"].size(), 1u);
    const Json& row = r.body["secrets"][0];
    EXPECT_EQ(Keys(row), kReadRowKeys);
    EXPECT_EQ(row["id"], row["_id"]);
    EXPECT_EQ(row["workspace"], kP1);
    EXPECT_EQ(row["environment"], "dev");
    EXPECT_EQ(row["version"], 1);
    EXPECT_EQ(row["type"], "shared");
    EXPECT_EQ(row["secretKey"], "HOST");
    EXPECT_EQ(row["secretValue"], "db.local");
    EXPECT_EQ(row["secretPath"], "/db");
    EXPECT_EQ(row["secretValueHidden"], false);
    EXPECT_TRUE(row["secretReminderNote"].is_null());
    EXPECT_EQ(row["tags"], Json::array());
  }
  Reply slug = Call("GET", "/api/v3/secrets/raw?workspaceSlug=app&environment=dev&secretPath=/db",
                    "", token);
  EXPECT_EQ(slug.status, 200);
  EXPECT_EQ(slug.body["secrets"].size(), 1u);
}

TEST_F(DevApiTest, ListStatusRules) {
  std::string token = Login("rw", "rw-secret");
  // Real Infisical finds no folder in an unknown environment: 200, no secrets.
  Reply no_env = Call("GET", List(4, "environment=qa"), "", token);
  EXPECT_EQ(no_env.status, 200);
  EXPECT_EQ(no_env.raw.body, R"({"secrets":[],"imports":[]})");
  ExpectError(Call("GET", "/api/v4/secrets/A?projectId=p1&environment=qa", "", token), 404,
              "GetSecretByName", "Folder with path '/' in environment with slug 'qa' not found");
  Reply missing = Call("GET", List(3, "environment=dev&secretPath=/nope"), "", token);
  EXPECT_EQ(missing.status, 200);
  EXPECT_EQ(missing.raw.body, R"({"secrets":[],"imports":[]})");
  ExpectError(Call("GET", "/api/v4/secrets?environment=dev", "", token), 400, "BadRequest",
              "Missing project id or environment");
  ExpectError(Call("GET", "/api/v4/secrets?projectId=zz&environment=dev", "", token), 404,
              "NotFound", "Project with ID 'zz' not found");
  ExpectError(Call("GET", "/api/v4/secrets?projectId=p2&environment=dev", "", token), 403,
              "PermissionDenied", "You are not allowed to read on secrets");
}

// The October 2024 server wraps "project not found" in a DatabaseError named
// "Failed to find project by slug", answered 500 "Something went wrong".
TEST_F(DevApiTest, UnknownWorkspaceSlugIs500FailedToFindProjectBySlug) {
  std::string token = Login("rw", "rw-secret");
  ExpectError(Call("GET", "/api/v3/secrets/raw?workspaceSlug=nope&environment=dev", "", token), 500,
              "Failed to find project by slug", "Something went wrong");
  ExpectError(Call("GET", "/api/v3/secrets/raw/A?workspaceSlug=nope&environment=dev", "", token),
              500, "Failed to find project by slug", "Something went wrong");
  ExpectError(Call("POST", "/api/v3/secrets/raw/A",
                   R"({"projectSlug":"nope","environment":"dev","secretValue":"v"})", token),
              500, "Failed to find project by slug", "Something went wrong");
  ExpectError(Call("POST", "/api/v3/secrets/batch/raw",
                   R"({"workspaceSlug":"nope","environment":"dev",)"
                   R"("secrets":[{"secretKey":"A","secretValue":"v"}]})",
                   token),
              500, "Failed to find project by slug", "Something went wrong");
  EXPECT_EQ(Call("GET", "/api/v3/secrets/raw?workspaceSlug=app&environment=dev", "", token).status,
            200);
}

TEST_F(DevApiTest, QueryBooleansMustBeExactlyTrueOrFalse) {
  std::string token = Login("rw", "rw-secret");
  for (const char* param : {"recursive", "include_imports", "includeImports",
                            "expandSecretReferences", "viewSecretValue"}) {
    for (const char* bad : {"1", "True", ""}) {
      Reply r =
          Call("GET", List(4, std::string("environment=dev&") + param + "=" + bad), "", token);
      ExpectError(r, 422, "ValidationFailure", "");
      ASSERT_TRUE(r.body["message"].is_array());
      EXPECT_EQ(r.body["message"][0]["code"], "invalid_enum_value");
      EXPECT_EQ(r.body["message"][0]["path"], Json::array({param}));
      EXPECT_EQ(r.body["message"][0]["options"], Json::parse(R"(["true","false"])"));
    }
  }
}

TEST_F(DevApiTest, ImportsAreListedInOrderWhenAskedWithEitherSpelling) {
  std::string token = Login("rw", "rw-secret");
  for (const char* flag : {"include_imports=true", "includeImports=true",
                           "include_imports=false&includeImports=true"}) {
    Reply r = Call("GET", List(4, std::string("environment=dev&") + flag), "", token);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(Keys(r.body), (std::vector<std::string>{"secrets", "imports"}));
    ASSERT_EQ(r.body["imports"].size(), 2u) << flag;
    const Json& first = r.body["imports"][0];
    EXPECT_EQ(Keys(first),
              (std::vector<std::string>{"secretPath", "environment", "folderId", "secrets"}));
    EXPECT_EQ(first["secretPath"], "/shared");
    EXPECT_EQ(first["environment"], "prod");
    EXPECT_EQ(first["secrets"].size(), 2u);
    EXPECT_EQ(Keys(first["secrets"][0]), kImportedRowKeys);
    EXPECT_EQ(r.body["imports"][1]["secretPath"], "/shared2");
  }
}

TEST_F(DevApiTest, RecursiveHiddenAndExpandedReads) {
  std::string token = Login("rw", "rw-secret");
  Reply flat = Call("GET", List(3, "environment=dev&recursive=false"), "", token);
  Reply deep = Call("GET", List(3, "environment=dev&recursive=true"), "", token);
  EXPECT_EQ(flat.body["secrets"].size(), 4u);
  EXPECT_EQ(deep.body["secrets"].size(), 5u);

  Reply hidden = Call("GET", List(4, "environment=dev&viewSecretValue=false"), "", token);
  for (const Json& row : hidden.body["secrets"]) {
    EXPECT_EQ(row["secretValue"], "<hidden-by-infisical>");
    EXPECT_EQ(row["secretValueHidden"], true);
  }
  EXPECT_FALSE(absl::StrContains(hidden.raw.body, kCanary));

  auto value_of = [](const Reply& r, const std::string& key) {
    for (const Json& row : r.body["secrets"]) {
      if (row["secretKey"] == key) return row["secretValue"].get<std::string>();
    }
    return std::string("<absent>");
  };
  Reply raw = Call("GET", List(4, "environment=dev"), "", token);
  Reply expanded = Call("GET", List(4, "environment=dev&expandSecretReferences=true"), "", token);
  EXPECT_EQ(value_of(raw, "URL"), "pg://${dev.db.HOST}/${MISSING}");
  EXPECT_EQ(value_of(expanded, "URL"), "pg://db.local/${MISSING}");
  EXPECT_EQ(value_of(expanded, "MULTI"), "\"a\\nfrom-folder\"");  // formatMultiValueEnv quirk
}

TEST_F(DevApiTest, GetByName) {
  std::string token = Login("rw", "rw-secret");
  for (int version : {3, 4}) {
    std::string base = version == 3 ? "/api/v3/secrets/raw/" : "/api/v4/secrets/";
    std::string project = version == 3 ? "workspaceId=p1" : "projectId=p1";
    Reply r =
        Call("GET", base + "SHARED?" + project + "&environment=dev&includeImports=true", "", token);
    ASSERT_EQ(r.status, 200) << r.raw.body;
    EXPECT_EQ(Keys(r.body), std::vector<std::string>{"secret"});
    EXPECT_EQ(Keys(r.body["secret"]), kReadRowKeys);
    EXPECT_EQ(r.body["secret"]["secretValue"], "from-folder");  // the folder beats imports

    Reply imported = Call(
        "GET", base + "IMPORTED?" + project + "&environment=dev&include_imports=true", "", token);
    ASSERT_EQ(imported.status, 200);
    EXPECT_EQ(imported.body["secret"]["secretValue"], "i2");  // the later import wins
    EXPECT_EQ(imported.body["secret"]["environment"], "prod");
    EXPECT_EQ(imported.body["secret"]["secretPath"], "/shared2");

    ExpectError(Call("GET", base + "IMPORTED?" + project + "&environment=dev", "", token), 404,
                "NotFound", "Secret with name 'IMPORTED' not found");
    ExpectError(Call("GET", base + "X?" + project + "&environment=dev&secretPath=/nope", "", token),
                404, "GetSecretByName",
                "Folder with path '/nope' in environment with slug 'dev' not found");
  }
}

TEST_F(DevApiTest, CreateTrimsAndAnswersTheWriteShape) {
  std::string token = Login("rw", "rw-secret");
  // The binding decodes "%20"; the name is trimmed.
  Reply r = Call(
      "POST", "/api/v3/secrets/raw/ NEW ",
      R"({"workspaceId":"p1","environment":"dev","secretPath":"/db/","secretValue":"  v\n\n","type":"shared"})",
      token);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(Keys(r.body["secret"]), kWriteRowKeys);
  EXPECT_EQ(r.body["secret"]["secretKey"], "NEW");
  EXPECT_EQ(r.body["secret"]["secretValue"], "v\n");
  EXPECT_EQ(r.body["secret"]["version"], 1);
  EXPECT_TRUE(r.body["secret"]["metadata"].is_null());
  Reply v4 = Call("POST", "/api/v4/secrets/OTHER",
                  R"({"projectId":"p1","environment":"prod","secretValue":"x"})", token);
  EXPECT_EQ(v4.status, 200) << v4.raw.body;
  ExpectError(
      Call("POST", "/api/v3/secrets/raw/NEW",
           R"({"workspaceId":"p1","environment":"dev","secretPath":"/db","secretValue":"v"})",
           token),
      400, "BadRequest", "Secret already exist");
}

TEST_F(DevApiTest, CreateErrors) {
  std::string token = Login("rw", "rw-secret");
  auto create = [&](const std::string& name, const std::string& body) {
    return Call("POST", "/api/v4/secrets/" + name, body, token);
  };
  Reply colon =
      create("A:B", std::string(R"({"projectId":"p1","environment":"dev","secretValue":")") +
                        kCanary + "\"}");
  ExpectError(colon, 422, "ValidationFailure", "");
  EXPECT_EQ(colon.body["message"][0]["path"], Json::array({"secretName"}));
  EXPECT_FALSE(absl::StrContains(colon.raw.body, kCanary));
  Reply missing = create("K", R"({"projectId":"p1"})");
  ExpectError(missing, 422, "ValidationFailure", "");
  EXPECT_EQ(missing.body["message"].size(), 2u);  // environment and secretValue
  ExpectError(
      create("K",
             R"({"projectId":"p1","environment":"dev","secretPath":"/nope","secretValue":"v"})"),
      404, "CreateSecret", "Folder with path '/nope' in environment with slug 'dev' not found");
  ExpectError(create("K", R"({"projectId":"p1","environment":"qa","secretValue":"v"})"), 404,
              "NotFound", "Environment with slug 'qa' in project with ID p1 not found");
  ExpectError(create("K", R"({"projectId":"p1","environment":"dev","secretValue":"${NOPE}"})"), 400,
              "BadRequest", "Referenced secret(s) not found: NOPE");
  ExpectError(
      create("K", R"({"projectId":"p1","environment":"dev","secretValue":"v","type":"personal"})"),
      400, "BadRequest", "Must be user to create personal secret");
  ExpectError(create("K", R"({"projectId":"p2","environment":"dev","secretValue":"v"})"), 403,
              "PermissionDenied", "You are not allowed to create on secrets");
  ExpectError(Call("POST", "/api/v4/secrets/K",
                   R"({"projectId":"p1","environment":"dev","secretValue":"v"})", Login("ro")),
              403, "PermissionDenied", "You are not allowed to create on secrets");
  EXPECT_EQ(
      create("K", R"({"projectId":"p1","environment":"dev","secretValue":"${DB_PASS}"})").status,
      200);
}

TEST_F(DevApiTest, UpdateRaisesVersionAndEchoesTheValueSent) {
  std::string token = Login("rw", "rw-secret");
  Reply r = Call("PATCH", "/api/v3/secrets/raw/SHARED",
                 R"({"workspaceId":"p1","environment":"dev","secretValue":" new \n"})", token);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(Keys(r.body["secret"]), kWriteRowKeys);
  EXPECT_EQ(r.body["secret"]["version"], 2);
  EXPECT_EQ(r.body["secret"]["secretValue"], "new\n");
  Reply comment_only = Call("PATCH", "/api/v4/secrets/SHARED",
                            R"({"projectId":"p1","environment":"dev","secretComment":"c"})", token);
  EXPECT_EQ(comment_only.body["secret"]["secretValue"], "");
  EXPECT_EQ(comment_only.body["secret"]["version"], 3);
  Reply stored = Call("GET", "/api/v4/secrets/SHARED?projectId=p1&environment=dev", "", token);
  EXPECT_EQ(stored.body["secret"]["secretValue"], "new\n");
  EXPECT_EQ(stored.body["secret"]["secretComment"], "c");
  ExpectError(Call("PATCH", "/api/v4/secrets/NOPE",
                   R"({"projectId":"p1","environment":"dev","secretValue":"v"})", token),
              404, "NotFound", "Secret with name NOPE not found");
  ExpectError(Call("PATCH", "/api/v4/secrets/SHARED",
                   R"({"projectId":"p1","environment":"dev","newSecretName":"URL"})", token),
              400, "BadRequest", "Secret with the new name already exist");
  Reply renamed =
      Call("PATCH", "/api/v4/secrets/SHARED",
           R"({"projectId":"p1","environment":"dev","newSecretName":"RENAMED"})", token);
  EXPECT_EQ(renamed.body["secret"]["secretKey"], "RENAMED");
}

TEST_F(DevApiTest, DeleteReadsItsJsonBody) {
  std::string token = Login("rw", "rw-secret");
  Reply query_only =
      Call("DELETE", "/api/v4/secrets/SHARED?projectId=p1&environment=dev", "", token);
  ExpectError(query_only, 422, "ValidationFailure", "");
  Reply r = Call("DELETE", "/api/v4/secrets/SHARED",
                 R"({"projectId":"p1","environment":"dev","secretPath":"/"})", token);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(r.body["secret"]["secretKey"], "SHARED");
  EXPECT_EQ(r.body["secret"]["secretValue"], "from-folder");
  ExpectError(Call("DELETE", "/api/v3/secrets/raw/SHARED",
                   R"({"workspaceId":"p1","environment":"dev"})", token),
              404, "NotFound", "Secret not found");
}

TEST_F(DevApiTest, BatchCreate) {
  std::string token = Login("rw", "rw-secret");
  Reply r = Call("POST", "/api/v4/secrets/batch",
                 R"({"projectId":"p1","environment":"dev","secretPath":"/","secrets":[
                    {"secretKey":"B1","secretValue":"x"},{"secretKey":"B2","secretValue":"${B1}"}]})",
                 token);
  ASSERT_EQ(r.status, 200) << r.raw.body;
  ASSERT_EQ(r.body["secrets"].size(), 2u);
  EXPECT_EQ(Keys(r.body["secrets"][0]), kWriteRowKeys);
  ExpectError(Call("POST", "/api/v3/secrets/batch/raw",
                   R"({"workspaceId":"p1","environment":"dev","secrets":[
                      {"secretKey":"B1","secretValue":"x"},{"secretKey":"B3","secretValue":"y"},
                      {"secretKey":"SHARED","secretValue":"z"}]})",
                   token),
              400, "BadRequest", "Secret already exist: B1,SHARED");
  EXPECT_EQ(Call("GET", "/api/v4/secrets/B3?projectId=p1&environment=dev", "", token).status, 404);
  Reply empty = Call("POST", "/api/v4/secrets/batch",
                     R"({"projectId":"p1","environment":"dev","secrets":[]})", token);
  ExpectError(empty, 422, "ValidationFailure", "");
  EXPECT_EQ(empty.body["message"][0]["code"], "too_small");
}

TEST_F(DevApiTest, BatchUpdateModes) {
  std::string token = Login("rw", "rw-secret");
  const std::string items =
      R"("secrets":[{"secretKey":"SHARED","secretValue":"u"},{"secretKey":"FRESH","secretValue":"f"}])";
  ExpectError(Call("PATCH", "/api/v4/secrets/batch",
                   R"({"projectId":"p1","environment":"dev",)" + items + "}", token),
              404, "NotFound", "Secret does not exist: FRESH in path /");
  Reply unchanged = Call("GET", "/api/v4/secrets/SHARED?projectId=p1&environment=dev", "", token);
  EXPECT_EQ(unchanged.body["secret"]["secretValue"], "from-folder");  // all or nothing

  Reply ignore =
      Call("PATCH", "/api/v4/secrets/batch",
           R"({"projectId":"p1","environment":"dev","mode":"ignore",)" + items + "}", token);
  ASSERT_EQ(ignore.status, 200) << ignore.raw.body;
  ASSERT_EQ(ignore.body["secrets"].size(), 1u);
  EXPECT_EQ(ignore.body["secrets"][0]["version"], 2);

  Reply upsert =
      Call("PATCH", "/api/v3/secrets/batch/raw",
           R"({"workspaceId":"p1","environment":"dev","mode":"upsert",)" + items + "}", token);
  ASSERT_EQ(upsert.status, 200) << upsert.raw.body;
  ASSERT_EQ(upsert.body["secrets"].size(), 2u);
  EXPECT_EQ(upsert.body["secrets"][0]["version"], 3);
  EXPECT_EQ(upsert.body["secrets"][1]["secretKey"], "FRESH");
  EXPECT_EQ(upsert.body["secrets"][1]["version"], 1);
  Reply bad_mode =
      Call("PATCH", "/api/v4/secrets/batch",
           R"({"projectId":"p1","environment":"dev","mode":"merge",)" + items + "}", token);
  ExpectError(bad_mode, 422, "ValidationFailure", "");
}

TEST_F(DevApiTest, EtagIsStrongAndTiedToContent) {
  std::string token = Login("rw", "rw-secret");
  std::string list = List(4, "environment=dev");
  Reply a = Call("GET", list, "", token);
  Reply b = Call("GET", list, "", token);
  std::string etag = a.raw.Header("etag");
  EXPECT_EQ(etag, StrongEtag(a.raw.body));
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag, b.raw.Header("ETag"));
  Reply not_modified = Call("GET", list, "", token, {{"if-none-match", etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.raw.body.empty());
  EXPECT_EQ(Call("GET", list, "", token, {{"if-none-match", "W/" + etag}}).status, 304);
  EXPECT_EQ(Call("GET", list, "", token, {{"if-none-match", "\"other\""}}).status, 200);
  Call("PATCH", "/api/v4/secrets/SHARED",
       R"({"projectId":"p1","environment":"dev","secretValue":"z"})", token);
  Reply changed = Call("GET", list, "", token, {{"if-none-match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.raw.Header("etag"), etag);
}

TEST_F(DevApiTest, ServiceTokens) {
  // One non-glob scope: the scope's environment and path replace the request's.
  Reply scoped = Call("GET", "/api/v3/secrets/raw?workspaceId=p1&environment=prod&secretPath=/x",
                      "", "st.ro.sec.legacykey");
  ASSERT_EQ(scoped.status, 200) << scoped.raw.body;
  EXPECT_EQ(scoped.body["secrets"].size(), 4u);
  ExpectError(Call("POST", "/api/v3/secrets/raw/N",
                   R"({"workspaceId":"p1","environment":"dev","secretValue":"v"})", "st.ro.sec"),
              403, "PermissionDenied", "You are not allowed to create on secrets");
  EXPECT_EQ(Call("POST", "/api/v3/secrets/raw/N",
                 R"({"workspaceId":"p1","environment":"dev","secretPath":"/db","secretValue":"v"})",
                 "st.rw.sec")
                .status,
            200);
  Reply slug = Call("GET", "/api/v1/projects/slug/app", "", "st.rw.sec");
  ExpectError(slug, 403, "Forbidden access to /api/v1/projects/slug/app",
              "You are not allowed to access this resource");
  EXPECT_EQ(Call("GET", "/api/v1/projects/p1", "", "st.rw.sec").status, 200);
  ExpectError(
      Call("PATCH", "/api/v4/secrets/batch",
           R"({"projectId":"p1","environment":"dev","secrets":[{"secretKey":"N"}]})", "st.rw.sec"),
      403, "Forbidden access to /api/v4/secrets/batch", "");
  ExpectError(Call("GET", List(3, "environment=dev"), "", "st.nobody.sec"), 404, "NotFound",
              "Service token with ID 'nobody' not found");
  ExpectError(Call("GET", List(3, "environment=dev"), "", "st.ro.wrong"), 401, "UnauthorizedError",
              "Invalid service token");
  ExpectError(Call("GET", List(3, "environment=dev"), "", "st.old.sec"), 403, "ForbiddenError",
              "Service token has expired");
}

TEST_F(DevApiTest, Projects) {
  std::string token = Login("rw", "rw-secret");
  Reply slug = Call("GET", "/api/v1/projects/slug/app/", "", token);
  ASSERT_EQ(slug.status, 200) << slug.raw.body;
  EXPECT_EQ(slug.body["id"], kP1);
  EXPECT_EQ(slug.body["_id"], kP1);
  EXPECT_EQ(slug.body["slug"], "app");
  EXPECT_EQ(slug.body["name"], "App");
  ASSERT_EQ(slug.body["environments"].size(), 2u);
  EXPECT_EQ(Keys(slug.body["environments"][0]), (std::vector<std::string>{"id", "name", "slug"}));
  EXPECT_EQ(slug.body["environments"][0]["name"], "Development");
  Reply by_id = Call("GET", "/api/v1/projects/p1", "", token);
  EXPECT_EQ(Keys(by_id.body), std::vector<std::string>{"project"});
  EXPECT_EQ(by_id.body["project"], slug.body);
  ExpectError(Call("GET", "/api/v1/projects/slug/nope", "", token), 404, "NotFound",
              "Project with slug 'nope' not found");
  ExpectError(Call("GET", "/api/v1/projects/p2", "", token), 403, "PermissionDenied", "");
}

TEST_F(DevApiTest, UnknownRouteIs404) {
  ExpectError(Call("GET", "/api/v9/nothing"), 404, "Not Found",
              "Route GET:/api/v9/nothing not found");
  ExpectError(Call("POST", "/__devserver/faults", R"({"mode":"status"})"), 404, "Not Found", "");
}

TEST_F(DevApiTest, PersistFailureRollsBackAndAnswers500) {
  std::string token = Login("rw", "rw-secret");
  persist_status_ = absl::InternalError("disk full");
  ExpectError(Call("POST", "/api/v4/secrets/P",
                   R"({"projectId":"p1","environment":"dev","secretValue":"v"})", token),
              500, "InternalServerError", "Something went wrong");
  persist_status_ = absl::OkStatus();
  EXPECT_EQ(Call("GET", "/api/v4/secrets/P?projectId=p1&environment=dev", "", token).status, 404);
  EXPECT_TRUE(absl::StrContains(log_.Joined(), "devserver.persist_failed"));
}

TEST_F(DevApiTest, RateLimitModeSends429WithHeaders) {
  DevApiOptions options;
  options.rate_limit_per_minute = 2;
  Start(options);
  std::string token = Login("rw", "rw-secret");  // 1
  Reply second = Call("GET", List(4, "environment=dev"), "", token);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.raw.Header("x-ratelimit-limit"), "2");
  EXPECT_EQ(second.raw.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(second.raw.Header("x-ratelimit-reset"), "60");
  clock_.Advance(absl::Seconds(15));
  Reply limited = Call("GET", List(4, "environment=dev"), "", token);
  ExpectError(limited, 429, "RateLimitExceeded",
              "Rate limit exceeded. Please try again in 45 seconds");
  EXPECT_EQ(limited.raw.Header("retry-after"), "45");
  EXPECT_EQ(Call("GET", "/api/status").status, 200);  // exempt
  clock_.Advance(absl::Seconds(45));
  EXPECT_EQ(Call("GET", List(4, "environment=dev"), "", token).status, 200);
}

TEST_F(DevApiTest, RateLimitCanAnswerLikeSelfHostedWith500) {
  DevApiOptions options;
  options.rate_limit_per_minute = 1;
  options.rate_limit_status = 500;
  Start(options);
  std::string token = Login("rw", "rw-secret");  // 1
  clock_.Advance(absl::Seconds(18));
  Reply limited = Call("GET", List(4, "environment=dev"), "", token);
  ExpectError(limited, 500, "InternalServerError", "Something went wrong");
  EXPECT_EQ(limited.raw.Header("retry-after"), "42");
  EXPECT_EQ(limited.raw.Header("x-ratelimit-limit"), "1");
  EXPECT_EQ(limited.raw.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.raw.Header("x-ratelimit-reset"), "42");
}

TEST_F(DevApiTest, FaultRoutesOnlyWithInjector) {
  FaultInjector faults;
  DevApiOptions options;
  options.faults = &faults;
  Start(options);
  Reply added = Call("POST", "/__devserver/faults", R"({"mode":"status","status":502,"count":2})");
  EXPECT_EQ(added.status, 200);
  EXPECT_EQ(added.raw.body, R"({"ok":true})");
  ExpectError(Call("POST", "/__devserver/faults", R"({"mode":"nope"})"), 400, "BadRequest", "");
  EXPECT_EQ(faults.Take("/api/status")->status, 502);
  EXPECT_EQ(Call("DELETE", "/__devserver/faults").status, 200);
  EXPECT_FALSE(faults.Take("/api/status").has_value());
}

TEST(FaultResponseTest, Modes) {
  Fault status;
  status.status = 503;
  status.retry_after_seconds = 2;
  ApiResponse r = FaultResponse(status, "req-x");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("Retry-After"), "2");
  Json body = Json::parse(r.body);
  EXPECT_EQ(Keys(body), kErrorKeys);
  EXPECT_EQ(r.Header("x-ratelimit-remaining"), "");
  Fault limited;
  limited.status = 500;
  limited.retry_after_seconds = 7;
  limited.rate_limit_headers = true;
  limited.message = "Something went wrong";
  ApiResponse l = FaultResponse(limited, "req-x");
  EXPECT_EQ(l.status, 500);
  EXPECT_EQ(l.Header("retry-after"), "7");
  EXPECT_EQ(l.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(l.Header("x-ratelimit-reset"), "7");
  EXPECT_EQ(Json::parse(l.body)["message"], "Something went wrong");
  EXPECT_EQ(Json::parse(l.body)["error"], "InternalServerError");
  Fault malformed;
  malformed.mode = FaultMode::kMalformedJson;
  ApiResponse m = FaultResponse(malformed, "req-x");
  EXPECT_EQ(m.status, 200);
  EXPECT_TRUE(Json::parse(m.body, nullptr, false).is_discarded());
  Fault truncated;
  truncated.mode = FaultMode::kTruncatedJson;
  ApiResponse t = FaultResponse(truncated, "req-x");
  EXPECT_EQ(t.status, 200);
  EXPECT_EQ(t.body.front(), '{');
  EXPECT_TRUE(Json::parse(t.body, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

// Contract tests of the real devserver binary over real sockets (HTTP and
// HTTPS): status codes, JSON field names and order, and error bodies pinned to
// docs/infisical-api.md; fault injection; the "listening on" line; clean exit.
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <signal.h>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/testing/infisical_reply_shapes.h"
#include "nlohmann/json.hpp"
#include "tests/contract/devserver_process.h"

namespace secretsync {
namespace {

using Json = nlohmann::ordered_json;
using ::secretsync::testing::Keys;
using ::secretsync::testing::kErrorKeys;
using ::secretsync::testing::kImportedRowKeys;
using ::secretsync::testing::kReadRowKeys;
using ::secretsync::testing::kWriteRowKeys;
using ::secretsync::testing::DevServerProcess;

constexpr char kCanary[] = "canary-v4lue-9d2f";
constexpr char kProject[] = "5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11";

constexpr char kSeed[] = R"pb(
  projects {
    id: "5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11"
    slug: "glitchtip"
    name: "GlitchTip"
    environments { slug: "prod" name: "Production" }
    environments { slug: "staging" }
    secrets {
      environment: "prod"
      key: "EMAIL_URL"
      value: "smtp://apikey:demo-key@smtp.example.com:587"
    }
    secrets { environment: "prod" key: "SECRET_KEY" value: "canary-v4lue-9d2f" }
    secrets { environment: "prod" path: "/db" key: "HOST" value: "db.local" }
    secrets { environment: "prod" key: "DATABASE_URL" value: "postgres://${prod.db.HOST}/gt" }
    secrets { environment: "staging" path: "/common" key: "SENTRY" value: "staging-sentry" }
    imports { environment: "prod" path: "/" from_environment: "staging" from_path: "/common" }
  }
  identities {
    client_id: "demo-client-id"
    client_secret: "demo-client-secret"
    project_ids: "5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11"
  }
  identities {
    client_id: "renewable-client-id"
    client_secret: "renewable-client-secret"
    project_ids: "5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11"
    access_token_ttl_seconds: 600
    access_token_max_ttl_seconds: 86400
  }
  service_tokens {
    token: "st.tok1.sekrit"
    project_id: "5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11"
    scopes { environment: "prod" secret_path: "/" }
    permissions: "read"
  }
)pb";


Json With(Json base, const std::string& key, Json value) {
  base[key] = std::move(value);
  return base;
}

// A string or integer field, or a default when the body is not an object.
std::string Str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}
int Int(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return 0;
  return j[key].get<int>();
}


struct Http {
  bool ok = false;  // a complete HTTP reply arrived
  int status = 0;
  std::string body;
  Json json;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class ContractTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_ != nullptr) {
      std::string log = server_->stderr_text();
      EXPECT_FALSE(absl::StrContains(log, kCanary)) << log;
      if (!token_.empty()) {
        EXPECT_FALSE(absl::StrContains(log, token_));
      }
    }
  }

  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--seed",
                                     DevServerProcess::WriteTempFile("seed.textproto", kSeed)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = DevServerProcess::Start(args);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    scheme_ = absl::StartsWith(server_->listening_line(), "listening on https") ? "https" : "http";
  }

  std::unique_ptr<httplib::Client> NewClient() {
    auto client =
        std::make_unique<httplib::Client>(absl::StrCat(scheme_, "://127.0.0.1:", server_->port()));
    if (scheme_ == "https") {
      client->set_ca_cert_path(ca_path_.c_str());
      client->enable_server_certificate_verification(true);
    }
    client->set_read_timeout(30, 0);
    return client;
  }

  Http Do(const std::string& method, const std::string& path, const std::string& body = "",
          const std::string& token = "", httplib::Headers headers = {}) {
    auto client = NewClient();
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result res(nullptr, httplib::Error::Unknown);
    const char* type = "application/json";
    if (method == "GET") {
      res = client->Get(path.c_str(), headers);
    } else if (method == "POST") {
      res = client->Post(path.c_str(), headers, body, type);
    } else if (method == "PATCH") {
      res = client->Patch(path.c_str(), headers, body, type);
    } else if (method == "DELETE") {
      res = client->Delete(path.c_str(), headers, body, type);
    }
    Http out;
    if (!res) return out;
    out.ok = true;
    out.status = res->status;
    out.body = res->body;
    out.headers = res->headers;
    out.json = Json::parse(res->body, nullptr, false);
    return out;
  }

  std::string Login() {
    Http r = Do("POST", "/api/v1/auth/universal-auth/login/",
                R"({"clientId":"demo-client-id","clientSecret":"demo-client-secret"})");
    EXPECT_EQ(r.status, 200) << r.body;
    token_ = Str(r.json, "accessToken");
    return token_;
  }

  void ExpectError(const Http& r, int status, const std::string& error,
                   const std::string& message = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Keys(r.json), kErrorKeys) << r.body;
    EXPECT_TRUE(std::regex_match(Str(r.json, "reqId"), std::regex("req-[A-Za-z0-9]{14}")));
    EXPECT_EQ(Int(r.json, "statusCode"), status);
    EXPECT_EQ(Str(r.json, "error"), error) << r.body;
    if (!message.empty()) {
      EXPECT_EQ(Str(r.json, "message"), message) << r.body;
    }
  }

  std::unique_ptr<DevServerProcess> server_;
  std::string scheme_ = "http";
  std::string ca_path_;
  std::string token_;
};

TEST_F(ContractTest, FirstLineIsListeningAndSigtermExitsZero) {
  StartServer();
  EXPECT_TRUE(std::regex_match(server_->listening_line(),
                               std::regex("listening on http://127\\.0\\.0\\.1:[0-9]+")))
      << server_->listening_line();
  EXPECT_GT(server_->port(), 0);
  Http r = Do("GET", "/api/status");
  EXPECT_EQ(r.status, 200);
  std::string log = server_->stderr_text();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  EXPECT_TRUE(std::regex_search(
      log, std::regex("devserver\\.request method=GET path=/api/status status=200 ms=[0-9]+")))
      << log;
}

// A thread that does not block SIGINT/SIGTERM would take a stop signal and
// die of it (exit 130/143) instead of the main thread's sigwait stopping
// cleanly: it happened under ASan when a signal came before sigwait ran.
TEST_F(ContractTest, EveryThreadBlocksTheStopSignals) {
  StartServer();
  const std::string tasks = absl::StrCat("/proc/", server_->pid(), "/task");
  DIR* dir = ::opendir(tasks.c_str());
  ASSERT_NE(dir, nullptr);
  int threads = 0;
  while (dirent* e = ::readdir(dir)) {
    // The main thread is in sigwait, which unblocks the signals it waits for
    // while it waits (SigBlk shows them clear): it is the one that should.
    if (e->d_name[0] == '.' || std::to_string(server_->pid()) == e->d_name) continue;
    std::ifstream status(absl::StrCat(tasks, "/", e->d_name, "/status"));
    std::string line;
    unsigned long long blocked = 0;
    while (std::getline(status, line)) {
      if (absl::StartsWith(line, "SigBlk:")) blocked = std::stoull(line.substr(7), nullptr, 16);
    }
    ++threads;
    EXPECT_TRUE(blocked & (1ULL << (SIGINT - 1))) << "thread " << e->d_name << " takes SIGINT";
    EXPECT_TRUE(blocked & (1ULL << (SIGTERM - 1))) << "thread " << e->d_name << " takes SIGTERM";
  }
  ::closedir(dir);
  EXPECT_GE(threads, 1);  // at least the webhook sender
  EXPECT_EQ(server_->Stop(SIGINT), 0);
}

TEST_F(ContractTest, SigintExitsZero) {
  StartServer();
  EXPECT_EQ(server_->Stop(SIGINT), 0);
}

TEST_F(ContractTest, HelpAndStartupErrors) {
  std::string out;
  DevServerProcess::RunToExit({"--help"}, &out);
  EXPECT_TRUE(absl::StrContains(out, "Infisical-API-compatible")) << out;
  EXPECT_TRUE(absl::StrContains(out, "enable_faults")) << out;
  EXPECT_EQ(DevServerProcess::RunToExit({"--seed", "/nonexistent/seed"}, &out), 66) << out;
  std::string bad = DevServerProcess::WriteTempFile(
      "bad.textproto", std::string("projects { id: \"p\" secrets { value: ") + kCanary + " } }");
  EXPECT_EQ(DevServerProcess::RunToExit({"--seed", bad}, &out), 65) << out;
  EXPECT_TRUE(absl::StrContains(out, "line 1")) << out;
  EXPECT_FALSE(absl::StrContains(out, kCanary));
  std::string inconsistent = DevServerProcess::WriteTempFile(
      "inconsistent.textproto",
      R"(projects { id: "p" slug: "s" secrets { environment: "qa" key: "K" } })");
  EXPECT_EQ(DevServerProcess::RunToExit({"--seed", inconsistent}, &out), 65) << out;
  EXPECT_TRUE(absl::StrContains(out, "projects[0].secrets[0].environment")) << out;
  EXPECT_EQ(DevServerProcess::RunToExit({"--seed", bad, "--tls-cert", "c.pem"}, &out), 64) << out;
  EXPECT_EQ(DevServerProcess::RunToExit({"--seed", bad, "--listen", "nohost"}, &out), 64) << out;
}

TEST_F(ContractTest, StatusAndAuthEndpoints) {
  StartServer();
  Http status = Do("GET", "/api/status");
  EXPECT_EQ(Keys(status.json),
            (std::vector<std::string>{"date", "message", "emailConfigured", "inviteOnlySignup",
                                      "redisConfigured", "secretScanningConfigured"}));
  EXPECT_EQ(status.json["message"], "Ok");
  EXPECT_FALSE(status.Header("etag").empty());

  Http login = Do("POST", "/api/v1/auth/universal-auth/login",
                  R"({"clientId":"demo-client-id","clientSecret":"demo-client-secret"})");
  ASSERT_EQ(login.status, 200);
  EXPECT_EQ(Keys(login.json), (std::vector<std::string>{"accessToken", "expiresIn",
                                                        "accessTokenMaxTTL", "tokenType"}));
  EXPECT_EQ(login.json["expiresIn"], 2592000);
  EXPECT_EQ(login.json["accessTokenMaxTTL"], 2592000);
  EXPECT_EQ(login.json["tokenType"], "Bearer");
  std::string token = login.json["accessToken"];
  token_ = token;
  ExpectError(Do("POST", "/api/v1/auth/universal-auth/login",
                 R"({"clientId":"nobody","clientSecret":"x"})"),
              404, "NotFound", "No identity with specified client ID was found");
  ExpectError(Do("POST", "/api/v1/auth/universal-auth/login",
                 R"({"clientId":"demo-client-id","clientSecret":"wrong"})"),
              401, "UnauthorizedError", "Invalid credentials");
  Http invalid = Do("POST", "/api/v1/auth/universal-auth/login", R"({"clientId":"x"})");
  ExpectError(invalid, 422, "ValidationFailure");
  EXPECT_EQ(invalid.json["message"],
            Json::parse(R"([{"code":"invalid_type","expected":"string","received":"undefined",)"
                        R"("path":["clientSecret"],"message":"Required"}])"));

  // With TTL == max TTL (the defaults) real Infisical refuses any renewal once
  // a millisecond has passed, so renewal is pinned with TTL < max TTL.
  Http renewable = Do("POST", "/api/v1/auth/universal-auth/login",
                      R"({"clientId":"renewable-client-id","clientSecret":"renewable-client-secret"})");
  ASSERT_EQ(renewable.status, 200) << renewable.body;
  EXPECT_EQ(renewable.json["expiresIn"], 600);
  EXPECT_EQ(renewable.json["accessTokenMaxTTL"], 86400);
  std::string renewable_token = renewable.json["accessToken"];
  Http renew =
      Do("POST", "/api/v1/auth/token/renew", Json{{"accessToken", renewable_token}}.dump());
  ASSERT_EQ(renew.status, 200) << renew.body;
  EXPECT_EQ(Keys(renew.json), Keys(login.json));
  std::string renewed = renew.json["accessToken"];
  EXPECT_NE(renewed, renewable_token);

  std::string list = absl::StrCat("/api/v4/secrets?projectId=", kProject, "&environment=prod");
  ExpectError(Do("GET", list), 401, "UnauthorizedError", "Token missing");
  ExpectError(Do("GET", list, "", "not-a-jwt"), 403, "TokenError",
              "The provided access token is malformed. Please use a valid token or generate a "
              "new one and try again.");
  EXPECT_EQ(Do("GET", list, "", renewed).status, 200);
  Http revoke = Do("POST", "/api/v1/auth/token/revoke", Json{{"accessToken", renewed}}.dump());
  EXPECT_EQ(revoke.body, R"({"message":"Successfully revoked access token"})");
  ExpectError(Do("GET", list, "", renewed), 401, "UnauthorizedError");
}

TEST_F(ContractTest, ProjectEndpoints) {
  StartServer();
  std::string token = Login();
  Http slug = Do("GET", "/api/v1/projects/slug/glitchtip", "", token);
  ASSERT_EQ(slug.status, 200) << slug.body;
  EXPECT_EQ(slug.json["id"], kProject);
  EXPECT_EQ(slug.json["_id"], kProject);
  EXPECT_EQ(slug.json["name"], "GlitchTip");
  EXPECT_EQ(slug.json["slug"], "glitchtip");
  ASSERT_EQ(slug.json["environments"].size(), 2u);
  EXPECT_EQ(Keys(slug.json["environments"][0]), (std::vector<std::string>{"id", "name", "slug"}));
  EXPECT_EQ(slug.json["environments"][0]["slug"], "prod");
  EXPECT_EQ(slug.json["environments"][0]["name"], "Production");
  Http by_id = Do("GET", absl::StrCat("/api/v1/projects/", kProject), "", token);
  EXPECT_EQ(Keys(by_id.json), std::vector<std::string>{"project"});
  EXPECT_EQ(by_id.json["project"], slug.json);
  ExpectError(Do("GET", "/api/v1/projects/slug/nope", "", token), 404, "NotFound",
              "Project with slug 'nope' not found");
  ExpectError(Do("GET", "/api/v1/projects/slug/glitchtip", "", "st.tok1.sekrit"), 403,
              "Forbidden access to /api/v1/projects/slug/glitchtip",
              "You are not allowed to access this resource");
}

TEST_F(ContractTest, ListAndGetSecrets) {
  StartServer();
  std::string token = Login();
  for (const std::string& base : {absl::StrCat("/api/v3/secrets/raw?workspaceId=", kProject),
                                  absl::StrCat("/api/v4/secrets?projectId=", kProject)}) {
    Http list = Do("GET", base + "&environment=prod&secretPath=%2F", "", token);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(Keys(list.json), std::vector<std::string>{"secrets"});
    ASSERT_EQ(list.json["secrets"].size(), 3u);
    const Json& row = list.json["secrets"][0];
    EXPECT_EQ(Keys(row), kReadRowKeys);
    EXPECT_EQ(row["secretKey"], "DATABASE_URL");
    EXPECT_EQ(row["secretValue"], "postgres://${prod.db.HOST}/gt");
    EXPECT_EQ(row["workspace"], kProject);
    EXPECT_EQ(row["type"], "shared");
    EXPECT_EQ(row["secretPath"], "/");

    Http expanded = Do("GET", base + "&environment=prod&expandSecretReferences=true", "", token);
    EXPECT_EQ(expanded.json["secrets"][0]["secretValue"], "postgres://db.local/gt");

    Http imports =
        Do("GET", base + "&environment=prod&include_imports=true&includeImports=true", "", token);
    ASSERT_EQ(imports.status, 200);
    EXPECT_EQ(Keys(imports.json), (std::vector<std::string>{"secrets", "imports"}));
    ASSERT_EQ(imports.json["imports"].size(), 1u);
    EXPECT_EQ(Keys(imports.json["imports"][0]),
              (std::vector<std::string>{"secretPath", "environment", "folderId", "secrets"}));
    EXPECT_EQ(imports.json["imports"][0]["secretPath"], "/common");
    EXPECT_EQ(Keys(imports.json["imports"][0]["secrets"][0]), kImportedRowKeys);

    Http sub = Do("GET", base + "&environment=prod&secretPath=%2Fdb%2F", "", token);
    ASSERT_EQ(sub.json["secrets"].size(), 1u);
    EXPECT_EQ(sub.json["secrets"][0]["secretPath"], "/db");
    EXPECT_EQ(Do("GET", base + "&environment=prod&secretPath=%2Fnope", "", token).body,
              R"({"secrets":[],"imports":[]})");
    // As on the real server, an unknown environment holds no folder.
    EXPECT_EQ(Do("GET", base + "&environment=qa", "", token).body, R"({"secrets":[],"imports":[]})");
    Http bad_bool = Do("GET", base + "&environment=prod&recursive=1", "", token);
    ExpectError(bad_bool, 422, "ValidationFailure");
    EXPECT_EQ(
        bad_bool.json["message"],
        Json::parse(
            R"([{"received":"1","code":"invalid_enum_value","options":["true","false"],)"
            R"("path":["recursive"],"message":"Invalid enum value. Expected 'true' | 'false', received '1'"}])"));
  }
  for (const std::string& base :
       {std::string("/api/v3/secrets/raw/"), std::string("/api/v4/secrets/")}) {
    std::string project = absl::StartsWith(base, "/api/v3") ? "workspaceId=" : "projectId=";
    Http one =
        Do("GET", base + "EMAIL_URL/?" + project + kProject + "&environment=prod", "", token);
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(Keys(one.json), std::vector<std::string>{"secret"});
    EXPECT_EQ(Keys(one.json["secret"]), kReadRowKeys);
    EXPECT_EQ(one.json["secret"]["secretValue"], "smtp://apikey:demo-key@smtp.example.com:587");
    Http imported =
        Do("GET", base + "SENTRY?" + project + kProject + "&environment=prod&includeImports=true",
           "", token);
    EXPECT_EQ(imported.json["secret"]["environment"], "staging");
    EXPECT_EQ(imported.json["secret"]["secretPath"], "/common");
    ExpectError(Do("GET", base + "NOPE?" + project + kProject + "&environment=prod", "", token),
                404, "NotFound", "Secret with name 'NOPE' not found");
    ExpectError(Do("GET", base + "NOPE?" + project + kProject + "&environment=prod&secretPath=/x",
                   "", token),
                404, "GetSecretByName",
                "Folder with path '/x' in environment with slug 'prod' not found");
  }
  Http by_token =
      Do("GET", absl::StrCat("/api/v3/secrets/raw?workspaceId=", kProject, "&environment=staging"),
         "", "st.tok1.sekrit.e2ekey");
  EXPECT_EQ(by_token.status, 200);
  EXPECT_EQ(by_token.json["secrets"].size(), 3u);  // the token's single scope: prod:/
}

TEST_F(ContractTest, EtagAnd304) {
  StartServer();
  std::string token = Login();
  std::string list = absl::StrCat("/api/v4/secrets?projectId=", kProject, "&environment=prod");
  Http first = Do("GET", list, "", token);
  std::string etag = first.Header("ETag");
  ASSERT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-z]+\""))) << etag;
  EXPECT_EQ(Do("GET", list, "", token).Header("etag"), etag);
  Http not_modified = Do("GET", list, "", token, {{"If-None-Match", etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  Do("PATCH", "/api/v4/secrets/EMAIL_URL",
     Json{{"projectId", kProject}, {"environment", "prod"}, {"secretValue", "smtp://x:1"}}.dump(),
     token);
  Http changed = Do("GET", list, "", token, {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.Header("etag"), etag);
}

TEST_F(ContractTest, WriteEndpoints) {
  StartServer();
  std::string token = Login();
  Json v3 = {{"workspaceId", kProject}, {"environment", "prod"}, {"secretPath", "/"}};
  Json v4 = {{"projectId", kProject}, {"environment", "prod"}};

  Json create = v3;
  create["secretValue"] = "  padded\n\n";
  create["type"] = "shared";
  Http created = Do("POST", "/api/v3/secrets/raw/NEW_ONE", create.dump(), token);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(Keys(created.json), std::vector<std::string>{"secret"});
  EXPECT_EQ(Keys(created.json["secret"]), kWriteRowKeys);
  EXPECT_EQ(created.json["secret"]["secretValue"], "padded\n");
  EXPECT_EQ(created.json["secret"]["version"], 1);
  ExpectError(Do("POST", "/api/v3/secrets/raw/NEW_ONE", create.dump(), token), 400, "BadRequest",
              "Secret already exist");
  ExpectError(Do("POST", "/api/v4/secrets/A:B", With(v4, "secretValue", "v").dump(), token), 422,
              "ValidationFailure");
  ExpectError(
      Do("POST", "/api/v4/secrets/DANGLING",
         Json{{"projectId", kProject}, {"environment", "prod"}, {"secretValue", "${NOPE}"}}.dump(),
         token),
      400, "BadRequest", "Referenced secret(s) not found: NOPE");

  Json patch = v4;
  patch["secretValue"] = " rotated ";
  Http patched = Do("PATCH", "/api/v4/secrets/NEW_ONE", patch.dump(), token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Keys(patched.json["secret"]), kWriteRowKeys);
  EXPECT_EQ(patched.json["secret"]["version"], 2);
  EXPECT_EQ(patched.json["secret"]["secretValue"], "rotated");
  ExpectError(Do("PATCH", "/api/v4/secrets/MISSING", patch.dump(), token), 404, "NotFound",
              "Secret with name MISSING not found");

  Http deleted = Do("DELETE", "/api/v4/secrets/NEW_ONE", Json(v4).dump(), token);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json["secret"]["secretKey"], "NEW_ONE");
  ExpectError(Do("DELETE", "/api/v3/secrets/raw/NEW_ONE", v3.dump(), token), 404, "NotFound",
              "Secret not found");

  Json batch = v3;
  batch["secrets"] = Json::parse(
      R"([{"secretKey":"B1","secretValue":"one"},{"secretKey":"B2","secretValue":"${B1}"}])");
  Http batch_created = Do("POST", "/api/v3/secrets/batch/raw", batch.dump(), token);
  ASSERT_EQ(batch_created.status, 200) << batch_created.body;
  EXPECT_EQ(Keys(batch_created.json), std::vector<std::string>{"secrets"});
  EXPECT_EQ(batch_created.json["secrets"].size(), 2u);
  ExpectError(Do("POST", "/api/v3/secrets/batch/raw", batch.dump(), token), 400, "BadRequest",
              "Secret already exist: B1,B2");

  Json upsert = v4;
  upsert["mode"] = "upsert";
  upsert["secrets"] = Json::parse(
      R"([{"secretKey":"B1","secretValue":"uno"},{"secretKey":"B3","secretValue":"tres"}])");
  Http upserted = Do("PATCH", "/api/v4/secrets/batch", upsert.dump(), token);
  ASSERT_EQ(upserted.status, 200) << upserted.body;
  EXPECT_EQ(upserted.json["secrets"][0]["version"], 2);
  EXPECT_EQ(upserted.json["secrets"][1]["version"], 1);
  Json strict = upsert;
  strict.erase("mode");
  strict["secrets"] = Json::parse(R"([{"secretKey":"B9","secretValue":"x"}])");
  ExpectError(Do("PATCH", "/api/v4/secrets/batch", strict.dump(), token), 404, "NotFound",
              "Secret does not exist: B9 in path /");
  Http v4_batch = Do(
      "POST", "/api/v4/secrets/batch",
      With(v4, "secrets", Json::parse(R"([{"secretKey":"B4","secretValue":"x"}])")).dump(), token);
  EXPECT_EQ(v4_batch.status, 200) << v4_batch.body;
}

TEST_F(ContractTest, HttpsWithAThrowawayCa) {
  std::string dir = std::getenv("TEST_TMPDIR");
  std::string ext = DevServerProcess::WriteTempFile(
      "ext.cnf", "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  std::string cmd = absl::StrCat(
      "cd ", dir, " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes",
      " -keyout ca.key -out ca.pem -days 1 -subj /CN=devserver-test-ca",
      " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes",
      " -keyout server.key -out server.csr -subj /CN=127.0.0.1",
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
      " -out server.pem -days 1 -extfile ", ext, " >openssl.log 2>&1");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ca_path_ = dir + "/ca.pem";
  StartServer({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"});
  EXPECT_TRUE(std::regex_match(server_->listening_line(),
                               std::regex("listening on https://127\\.0\\.0\\.1:[0-9]+")));
  std::string token = Login();
  Http list =
      Do("GET", absl::StrCat("/api/v3/secrets/raw?workspaceId=", kProject, "&environment=prod"), "",
         token);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(Keys(list.json["secrets"][0]), kReadRowKeys);
  httplib::Client plain(absl::StrCat("http://127.0.0.1:", server_->port()));
  plain.set_read_timeout(5, 0);
  auto res = plain.Get("/api/status");
  EXPECT_TRUE(!res || res->status != 200);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

TEST_F(ContractTest, FaultRoutesAre404WithoutTheFlag) {
  StartServer();
  ExpectError(Do("POST", "/__devserver/faults", R"({"mode":"status"})"), 404, "Not Found");
}

TEST_F(ContractTest, FaultStatusDelayAndFilters) {
  StartServer({"--enable-faults"});
  Http added = Do("POST", "/__devserver/faults",
                  R"({"mode":"status","status":503,"retryAfter":2,"count":2})");
  EXPECT_EQ(added.status, 200);
  EXPECT_EQ(added.body, R"({"ok":true})");
  for (int i = 0; i < 2; ++i) {
    Http r = Do("GET", "/api/status");
    ExpectError(r, 503, "InternalServerError");
    EXPECT_EQ(r.Header("Retry-After"), "2");
  }
  EXPECT_EQ(Do("GET", "/api/status").status, 200);

  // Faults queue in order; pathPrefix limits which requests consume them.
  Do("POST", "/__devserver/faults",
     R"({"mode":"status","status":500,"pathPrefix":"/api/v3/secrets"})");
  Do("POST", "/__devserver/faults", R"({"mode":"status","status":429})");
  EXPECT_EQ(Do("GET", "/api/status").status, 429);
  EXPECT_EQ(Do("GET", "/api/status").status, 200);
  EXPECT_EQ(Do("GET", "/api/v3/secrets/raw").status, 500);

  Do("POST", "/__devserver/faults", R"({"mode":"status","count":5})");
  EXPECT_EQ(Do("DELETE", "/__devserver/faults").status, 200);
  EXPECT_EQ(Do("GET", "/api/status").status, 200);

  Do("POST", "/__devserver/faults", R"({"mode":"delay","delayMs":300})");
  auto start = std::chrono::steady_clock::now();
  Http delayed = Do("GET", "/api/status");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(delayed.status, 200);
  EXPECT_EQ(delayed.json["message"], "Ok");
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 300);
  ExpectError(Do("POST", "/__devserver/faults", R"({"mode":"explode"})"), 400, "BadRequest");
}

TEST_F(ContractTest, FaultBodies) {
  StartServer({"--enable-faults"});
  Do("POST", "/__devserver/faults", R"({"mode":"malformed_json"})");
  Http malformed = Do("GET", "/api/status");
  EXPECT_EQ(malformed.status, 200);
  EXPECT_TRUE(malformed.json.is_discarded());

  Do("POST", "/__devserver/faults", R"({"mode":"truncated_json"})");
  Http truncated = Do("GET", "/api/status");
  EXPECT_EQ(truncated.status, 200);
  EXPECT_EQ(truncated.body.front(), '{');
  EXPECT_TRUE(truncated.json.is_discarded());

  Do("POST", "/__devserver/faults", R"({"mode":"close_mid_body"})");
  Http cut = Do("GET", "/api/status");
  EXPECT_FALSE(cut.ok);  // headers promised more bytes than arrived

  Do("POST", "/__devserver/faults", R"({"mode":"oversized","oversizedBytes":3000000})");
  Http big = Do("GET", "/api/status");
  EXPECT_EQ(big.status, 200);
  EXPECT_EQ(big.body.size(), 3000000u);
  EXPECT_TRUE(big.json.is_object());
  EXPECT_EQ(Do("GET", "/api/status").status, 200);
  EXPECT_TRUE(absl::StrContains(server_->stderr_text(), "fault=oversized"));
}

TEST_F(ContractTest, StateFilePersistsAcrossRestarts) {
  std::string state = std::string(std::getenv("TEST_TMPDIR")) + "/state.textproto";
  std::remove(state.c_str());
  StartServer({"--state", state});
  std::string token = Login();
  Http created =
      Do("POST", "/api/v4/secrets/PERSISTED",
         Json{{"projectId", kProject}, {"environment", "prod"}, {"secretValue", "kept"}}.dump(),
         token);
  ASSERT_EQ(created.status, 200);
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  struct stat st;
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = DevServerProcess::Start({"--listen", "127.0.0.1:0", "--state", state});
  ASSERT_TRUE(again.ok()) << again.status();
  server_ = *std::move(again);
  Http read =
      Do("GET", absl::StrCat("/api/v4/secrets/PERSISTED?projectId=", kProject, "&environment=prod"),
         "", token);  // the old token too
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json["secret"]["secretValue"], "kept");
}

TEST_F(ContractTest, RateLimitMode) {
  StartServer({"--rate-limit-per-minute", "2"});
  std::string token = Login();
  std::string list = absl::StrCat("/api/v4/secrets?projectId=", kProject, "&environment=prod");
  Http ok = Do("GET", list, "", token);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Header("x-ratelimit-limit"), "2");
  Http limited = Do("GET", list, "", token);
  ExpectError(limited, 429, "RateLimitExceeded");
  EXPECT_FALSE(limited.Header("retry-after").empty());
  EXPECT_EQ(limited.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(Do("GET", "/api/status").status, 200);
}

}  // namespace
}  // namespace secretsync

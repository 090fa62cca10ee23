// Tests for DevStore: seed validation, normalization and write rules.
#include "lib/devserver/dev_store.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "lib/base/random_source.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace devserver {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
namespace v1 = ::secretsync::v1;

v1::DevSeed Parse(const std::string& text) {
  v1::DevSeed seed;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &seed)) << text;
  return seed;
}

constexpr char kSeed[] = R"pb(
  projects {
    id: "p1"
    slug: "app"
    environments { slug: "dev" }
    environments { slug: "prod" name: "Production" }
    folders: "dev:/empty/sub"
    secrets { environment: "dev" path: "/db/" key: " HOST " value: "h" }
    secrets { environment: "dev" key: "URL" value: "${db.HOST}" }
    imports { environment: "dev" path: "/" from_environment: "prod" from_path: "/shared" }
  }
  identities { client_id: "c" client_secret: "s" project_ids: "p1" }
  service_tokens { token: "st.tok.sec" project_id: "p1" permissions: "read" }
)pb";

class DevStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = DevStore::Create(Parse(kSeed), clock_, random_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  const v1::DevProject& project() { return *store_->ProjectById("p1"); }

  FakeClock clock_;
  OsRandomSource random_;
  std::unique_ptr<DevStore> store_;
};

TEST(NormalizeSecretPathTest, Cases) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "/"}, {"/", "/"}, {" /a/ ", "/a"}, {"a/b", "/a/b"}, {"/a//", "/a"}};
  for (const auto& [in, want] : cases) EXPECT_EQ(NormalizeSecretPath(in), want) << in;
}

TEST(TrimSecretValueTest, Cases) {
  const std::pair<const char*, const char*> cases[] = {
      {"  v  ", "v"}, {"v\n", "v\n"}, {"v\n\n\n", "v\n"}, {" \n", "\n"}, {"a b", "a b"}, {"", ""}};
  for (const auto& [in, want] : cases) EXPECT_EQ(TrimSecretValue(in), want) << in;
}

TEST_F(DevStoreTest, FillsDefaultsAndFolders) {
  EXPECT_EQ(project().name(), "app");
  EXPECT_EQ(project().environments(0).name(), "dev");
  EXPECT_EQ(project().environments(1).name(), "Production");
  EXPECT_EQ(project().environments(0).id().size(), 36u);
  const v1::DevSecret* host = DevStore::FindSecret(project(), "dev", "/db", "HOST");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->version(), 1);
  EXPECT_EQ(host->created_at(), "2027-01-15T08:00:00.000Z");
  for (const auto& [env, path] :
       std::vector<std::pair<const char*, const char*>>{{"dev", "/"},
                                                        {"dev", "/db"},
                                                        {"dev", "/empty"},
                                                        {"dev", "/empty/sub"},
                                                        {"prod", "/shared"},
                                                        {"prod", "/"}}) {
    EXPECT_TRUE(DevStore::FolderExists(project(), env, path)) << env << path;
  }
  EXPECT_FALSE(DevStore::FolderExists(project(), "dev", "/nope"));
  EXPECT_FALSE(DevStore::FolderExists(project(), "qa", "/"));
  EXPECT_EQ(store_->state().token_signing_key_hex().size(), 64u);
  EXPECT_EQ(DevStore::FolderId(project(), "dev", "/db"),
            DevStore::FolderId(project(), "dev", "/db"));
  EXPECT_NE(DevStore::FolderId(project(), "dev", "/db"), DevStore::FolderId(project(), "dev", "/"));
}

TEST_F(DevStoreTest, ListsRecursivelyByPathThenKey) {
  auto flat = DevStore::ListSecrets(project(), "dev", "/", false);
  ASSERT_EQ(flat.size(), 1u);
  EXPECT_EQ(flat[0]->key(), "URL");
  auto all = DevStore::ListSecrets(project(), "dev", "/", true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]->key(), "URL");
  EXPECT_EQ(all[1]->key(), "HOST");
}

TEST(DevStoreSeedTest, RejectsInconsistentSeedsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"(projects { slug: "a" })", "projects[0].id: required"},
      {R"(projects { id: "a" slug: "a" } projects { id: "a" slug: "b" })", "projects[1].id"},
      {R"(projects { id: "a" slug: "a" environments { slug: "dev" } environments { slug: "dev" } })",
       "projects[0].environments[1].slug"},
      {R"(projects { id: "a" slug: "a" secrets { environment: "qa" key: "K" } })",
       "projects[0].secrets[0].environment: unknown environment 'qa'"},
      {R"(projects { id: "a" slug: "a" environments { slug: "dev" } secrets { environment: "dev" key: "A:B" } })",
       "projects[0].secrets[0].key"},
      {R"(projects { id: "a" slug: "a" environments { slug: "dev" } secrets { environment: "dev" key: "K" } secrets { environment: "dev" path: "/" key: "K" } })",
       "projects[0].secrets[1]: duplicate secret K"},
      {R"(projects { id: "a" slug: "a" folders: "nocolon" })", "projects[0].folders[0]"},
      {R"(identities { client_id: "c" project_ids: "zz" })", "identities[0].project_ids[0]"},
      {R"(projects { id: "a" slug: "a" } service_tokens { token: "st.x" project_id: "a" })",
       "service_tokens[0].token"},
      {R"(projects { id: "a" slug: "a" } service_tokens { token: "st.x.y" project_id: "a" permissions: "admin" })",
       "service_tokens[0].permissions[0]"},
      {R"(token_signing_key_hex: "xyz")", "token_signing_key_hex"},
  };
  FakeClock clock;
  OsRandomSource random;
  for (const auto& [text, want] : cases) {
    EXPECT_THAT(DevStore::Create(Parse(text), clock, random),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(want)))
        << text;
  }
}

TEST_F(DevStoreTest, CreateUpdateDeleteFollowInfisicalRules) {
  SecretChange change;
  change.value = "v1";
  auto created = store_->CreateSecret("p1", "dev", "/", "NEW", change);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->version(), 1);
  EXPECT_THAT(store_->CreateSecret("p1", "dev", "/", "NEW", change),
              StatusIs(absl::StatusCode::kAlreadyExists, "Secret already exist"));
  clock_.Advance(absl::Seconds(5));
  SecretChange update;
  update.comment = "c";
  auto updated = store_->UpdateSecret("p1", "dev", "/", "NEW", update);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->version(), 2);
  EXPECT_EQ(updated->value(), "v1");
  EXPECT_NE(updated->updated_at(), updated->created_at());
  SecretChange rename;
  rename.new_name = "URL";
  EXPECT_THAT(store_->UpdateSecret("p1", "dev", "/", "NEW", rename),
              StatusIs(absl::StatusCode::kAlreadyExists, "Secret with the new name already exist"));
  EXPECT_THAT(store_->UpdateSecret("p1", "dev", "/", "GONE", update),
              StatusIs(absl::StatusCode::kNotFound, "Secret with name GONE not found"));
  EXPECT_THAT(store_->DeleteSecret("p1", "dev", "/", "NEW"), IsOk());
  EXPECT_THAT(store_->DeleteSecret("p1", "dev", "/", "NEW"),
              StatusIs(absl::StatusCode::kNotFound, "Secret not found"));
  EXPECT_THAT(store_->DeleteSecret("p1", "dev", "/db", "HOST"), IsOk());
  EXPECT_TRUE(DevStore::FolderExists(project(), "dev", "/db"));  // folder outlives its secrets
}

TEST_F(DevStoreTest, CheckReferencesMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {"${qa.K}", "Referenced environment not found. Missing qa"},
      {"${dev.nope.K}", "Referenced path /nope doesn't exist"},
      {"${A} ${dev.db.B}", "Referenced secret(s) not found: A,B"},
  };
  for (const auto& [value, want] : cases) {
    EXPECT_THAT(DevStore::CheckReferences(project(), "dev", "/", value),
                StatusIs(absl::StatusCode::kInvalidArgument, want));
  }
  EXPECT_THAT(DevStore::CheckReferences(project(), "dev", "/", "${URL} ${dev.db.HOST}"), IsOk());
}

TEST_F(DevStoreTest, TokensUseIdentityDefaults) {
  const v1::DevIdentity* identity = store_->IdentityByClientId("c");
  ASSERT_NE(identity, nullptr);
  auto token = store_->IssueAccessToken(*identity);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->ttl_seconds(), kDefaultTokenTtlSeconds);
  EXPECT_EQ(token->max_ttl_seconds(), kDefaultTokenTtlSeconds);
  EXPECT_NE(store_->MutableAccessToken(token->id()), nullptr);
  EXPECT_TRUE(store_->DeleteAccessToken(token->id()));
  EXPECT_FALSE(store_->DeleteAccessToken(token->id()));
  EXPECT_NE(store_->ServiceTokenById("tok"), nullptr);
  EXPECT_EQ(store_->ServiceTokenById("sec"), nullptr);
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

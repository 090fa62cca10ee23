// Tests for reference parsing and expansion.
#include "lib/devserver/secret_references.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace secretsync {
namespace devserver {
namespace {

TEST(FindReferencesTest, ResolvesLocalEnvironmentAndNestedForms) {
  struct Case {
    const char* value;
    const char* env;
    const char* path;
    const char* key;
  };
  const Case cases[] = {
      {"${KEY}", "dev", "/app", "KEY"},
      {"x-${prod.KEY}-y", "prod", "/", "KEY"},
      {"${prod.a.b.KEY}", "prod", "/a/b", "KEY"},
      {"${my-env.db_1.K-2}", "my-env", "/db_1", "K-2"},
  };
  for (const Case& c : cases) {
    std::vector<SecretReference> refs = FindReferences(c.value, "dev", "/app");
    ASSERT_EQ(refs.size(), 1u) << c.value;
    EXPECT_EQ(refs[0].environment, c.env) << c.value;
    EXPECT_EQ(refs[0].path, c.path) << c.value;
    EXPECT_EQ(refs[0].key, c.key) << c.value;
  }
}

TEST(FindReferencesTest, IgnoresTextThatIsNotAReference) {
  for (const char* value : {"$KEY", "${}", "${KEY", "${a b}", "$${", "plain"}) {
    EXPECT_TRUE(FindReferences(value, "dev", "/").empty()) << value;
  }
}

class ExpandTest : public ::testing::Test {
 protected:
  std::string Expand(const std::string& value) {
    return ExpandReferences(value, "dev", "/",
                            [this](const std::string& env, const std::string& path,
                                   const std::string& key) -> std::optional<std::string> {
                              auto it = secrets_.find(env + ":" + path + ":" + key);
                              if (it == secrets_.end()) return std::nullopt;
                              return it->second;
                            });
  }
  std::map<std::string, std::string> secrets_ = {
      {"dev:/:HOST", "db.local"},
      {"dev:/:URL", "postgres://${HOST}/${prod.db.NAME}"},
      {"prod:/db:NAME", "app"},
      {"prod:/db:NESTED", "${NAME}"},  // resolves in prod:/db, its own folder
      {"dev:/:EMPTY", ""},
      {"dev:/:LOOP_A", "a${LOOP_B}"},
      {"dev:/:LOOP_B", "b${LOOP_A}"},
  };
};

TEST_F(ExpandTest, ExpandsNestedReferencesInTheirOwnFolder) {
  EXPECT_EQ(Expand("${URL}"), "postgres://db.local/app");
  EXPECT_EQ(Expand("${prod.db.NESTED}"), "app");
}

TEST_F(ExpandTest, KeepsUnresolvableReferencesLiteral) {
  EXPECT_EQ(Expand("${MISSING}-${EMPTY}-${nope.X}"), "${MISSING}-${EMPTY}-${nope.X}");
}

TEST_F(ExpandTest, StopsOnCycles) { EXPECT_EQ(Expand("${LOOP_A}"), "ab${LOOP_A}"); }

TEST_F(ExpandTest, StopsAtMaxDepth) {
  for (int i = 0; i < 15; ++i) {
    secrets_["dev:/:L" + std::to_string(i)] = "${L" + std::to_string(i + 1) + "}";
  }
  secrets_["dev:/:L15"] = "end";
  EXPECT_EQ(Expand("${L0}"), "${L10}");
  EXPECT_EQ(Expand("${L6}"), "end");
}

}  // namespace
}  // namespace devserver
}  // namespace secretsync

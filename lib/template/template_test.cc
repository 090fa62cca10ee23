// Tests for ParseTemplate and Render: table-driven syntax errors, rendering with
// filters, verbatim copying, missing secrets, and a canary that never leaks.
#include "lib/template/template.h"

#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace tmpl {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCanary[] = "CANARY+/=7c1a";

using SecretMap = std::map<std::string, SecretValue, std::less<>>;

SecretMap Secrets() {
  SecretMap m;
  m.emplace("POSTGRES_PASSWORD", SecretValue(std::string(kCanary)));
  m.emplace("SECRET_KEY", SecretValue(std::string("k$y'")));
  m.emplace("PADDED", SecretValue(std::string("  Mixed  ")));
  return m;
}

std::string ValueOf(const dotenv::RenderedEnv& env, const std::string& key) {
  auto values = env.Values();
  auto it = values.find(key);
  if (it == values.end()) return "<missing>";
  return std::string(it->second->Expose());
}

TEST(TemplateTest, RendersReferencesFiltersAndDollars) {
  const char* text =
      "# GlitchTip\n"
      "\n"
      "POSTGRES_DB=glitchtip\n"
      "export SECRET_KEY=${SECRET_KEY}\n"
      "DATABASE_URL='postgres://u:${ POSTGRES_PASSWORD | urlencode }@db/x' # comment\n"
      "B64=\"${PADDED|trim|lower|base64}\"\n"
      "PRICE=$$5 and ${PADDED | trim | upper} #tail\n";
  auto tmpl = ParseTemplate(text, ".env.template");
  ASSERT_THAT(tmpl, IsOk());
  EXPECT_THAT(tmpl->ReferencedNames(), ElementsAre("PADDED", "POSTGRES_PASSWORD", "SECRET_KEY"));
  SecretMap secrets = Secrets();
  auto env = Render(*tmpl, MapLookup(secrets));
  ASSERT_THAT(env, IsOk());
  EXPECT_EQ(ValueOf(*env, "POSTGRES_DB"), "glitchtip");
  EXPECT_EQ(ValueOf(*env, "SECRET_KEY"), "k$y'");
  EXPECT_EQ(ValueOf(*env, "DATABASE_URL"), "postgres://u:CANARY%2B%2F%3D7c1a@db/x");
  EXPECT_EQ(ValueOf(*env, "B64"), "bWl4ZWQ=");
  EXPECT_EQ(ValueOf(*env, "PRICE"), "$5 and MIXED");
  ASSERT_EQ(env->lines().size(), 7u);
  EXPECT_TRUE(env->lines()[0].verbatim);
  EXPECT_EQ(env->lines()[0].text, "# GlitchTip");
  EXPECT_EQ(env->lines()[2].text, "POSTGRES_DB=glitchtip");
  EXPECT_FALSE(env->lines()[3].verbatim);
  EXPECT_TRUE(env->lines()[3].export_prefix);
  std::ostringstream printed;
  PrintTo(*env, &printed);
  EXPECT_EQ(printed.str(), "<RenderedEnv 7 lines>");
}

TEST(TemplateTest, LinesWithoutReferencesAreCopiedVerbatimAndReadLikeCompose) {
  auto tmpl = ParseTemplate("  # indented\nA=\"x\\ty\" # c\nexport B='q'\nC=plain value #c\n",
                            "t");
  ASSERT_THAT(tmpl, IsOk());
  auto env = Render(*tmpl, [](absl::string_view) -> const SecretValue* { return nullptr; });
  ASSERT_THAT(env, IsOk());
  EXPECT_EQ(env->lines()[0].text, "  # indented");
  EXPECT_EQ(env->lines()[1].text, "A=\"x\\ty\" # c");
  EXPECT_EQ(ValueOf(*env, "A"), "x\ty");
  EXPECT_EQ(ValueOf(*env, "B"), "q");
  EXPECT_EQ(ValueOf(*env, "C"), "plain value");
}

TEST(TemplateTest, SyntaxErrorsNameFileLineAndColumn) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case kCases[] = {
      {"A=$NAME\n", "template t:1:3: '$' must start ${NAME} or be doubled as $$"},
      {"A=x$\n", "template t:1:4: '$' must start ${NAME}"},
      {"A=${NAME\n", "template t:1:3: unterminated ${"},
      {"A=${}\n", "template t:1:3: empty secret name in ${}"},
      {"A=${ 9X }\n", "template t:1:6: invalid secret name \"9X\""},
      {"A=${NA-ME}\n", "template t:1:5: invalid secret name \"NA-ME\""},
      {"\nA=${X | urlescape}\n", "template t:2:9: unknown filter \"urlescape\" (known: base64"},
      {"A=${X |}\n", "template t:1:8: empty filter"},
      {"A=1\nB=2\nA=3\n", "template t:3:1: duplicate key A (first defined on line 1)"},
      {"9A=1\n", "template t:1:1: invalid environment variable name \"9A\""},
      {"A-B=1\n", "template t:1:1: invalid environment variable name"},
      {"A B\n", "template t:1:1: expected KEY=value"},
      {"A='${X}\n", "template t:1:3: quoted value of A does not close on its line"},
      {"A='${X}' tail\n", "template t:1:10: unexpected text after the closing quote of A"},
      {"A=\"\\n${X}\"\n", "template t:1:4: backslash escapes are not supported"},
      {"A=1\r\n", "template t:1:4: carriage return"},
      {"A=\xff\n", "template t:1:1: line is not valid UTF-8"},
      {"A=\"unclosed\n", "template t:1:3: value of A is not valid dotenv"},
      // Found by tests/fuzz:template_fuzz: compose decodes \044 to `$` and then
      // interpolates $B, which a line copied verbatim cannot account for.
      {"B=q\nA=\"\\044B\"\n", "template t:2:4: value of A writes `$` as an octal escape"},
      {"A=\"x\\0444{B}\"\n", "template t:1:5: value of A writes `$` as an octal escape"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(absl::StrCat("case ", &c - kCases));
    EXPECT_THAT(ParseTemplate(c.text, "t"),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

TEST(TemplateTest, OctalEscapesThatAreNotADollarStayVerbatim) {
  // \\044 is a backslash then "044"; single quotes and unquoted values do not
  // decode escapes; \0101 is "A".
  auto tmpl = ParseTemplate("B=q\nC=\"\\\\044B\"\nD='\\044B'\nE=\\044B\nF=\"\\0101\"\n", "t");
  ASSERT_THAT(tmpl.status(), IsOk());
  auto env = Render(*tmpl, [](absl::string_view) -> const SecretValue* { return nullptr; });
  ASSERT_THAT(env.status(), IsOk());
  EXPECT_EQ(ValueOf(*env, "C"), "\\044B");
  EXPECT_EQ(ValueOf(*env, "D"), "\\044B");
  EXPECT_EQ(ValueOf(*env, "E"), "\\044B");
  EXPECT_EQ(ValueOf(*env, "F"), "A");
}

TEST(TemplateTest, MissingSecretsAreAllListedInOneNotFound) {
  auto tmpl = ParseTemplate(
      "A=${POSTGRES_PASSWORD}\n#\n#\n#\n#\n#\n#\n#\n#\n#\n#\nEMAIL=smtp ${EMAIL_URL}\n"
      "B=${OTHER|base64}\n",
      ".env.template");
  ASSERT_THAT(tmpl, IsOk());
  SecretMap secrets = Secrets();
  auto env = Render(*tmpl, MapLookup(secrets));
  EXPECT_THAT(env, StatusIs(absl::StatusCode::kNotFound,
                            "template .env.template:12:12 references unknown secret EMAIL_URL; "
                            ".env.template:13:3 references unknown secret OTHER"));
  EXPECT_THAT(std::string(env.status().message()), Not(HasSubstr(kCanary)));
}

TEST(TemplateTest, EmptyTemplateAndMissingFinalNewlineAndBom) {
  auto empty = ParseTemplate("", "t");
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->lines().empty());
  auto bom = ParseTemplate("\xEF\xBB\xBF" "A=1", "t");
  ASSERT_THAT(bom, IsOk());
  ASSERT_EQ(bom->lines().size(), 1u);
  EXPECT_EQ(bom->lines()[0].text, "A=1");
}

}  // namespace
}  // namespace tmpl
}  // namespace secretsync

// MakePlan, the pure heart of sync: what is added, changed, removed or
// unchanged, that comments and verbatim lines are kept, which services a
// change restarts, and what is refused (invalid names, invalid secrets,
// unknown secrets) without a value in any message.
#include "lib/sync/plan.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace sync {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kCanary[] = "canary-plan-value-71c4";

v1::DeploymentConfig Config() {
  v1::DeploymentConfig c;
  c.set_output_path("/srv/.env");
  auto* key = c.add_secrets();
  key->set_name("SECRET_KEY");
  key->mutable_rotation()->add_restart_services("web");
  auto* mail = c.add_secrets();
  mail->set_name("EMAIL_URL");
  mail->mutable_validator()->set_kind(v1::Validator::SMTP_URL);
  mail->mutable_rotation()->add_restart_services("worker");
  return c;
}

std::vector<infisical::SecretRecord> Records(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<infisical::SecretRecord> out;
  for (const auto& [name, value] : pairs) {
    infisical::SecretRecord r;
    r.name = name;
    r.value = SecretValue(value);
    out.push_back(std::move(r));
  }
  return out;
}

class PlanTest : public ::testing::Test {
 protected:
  absl::StatusOr<Plan> Make(const std::string& template_text,
                            const std::vector<std::pair<std::string, std::string>>& secrets,
                            std::optional<std::string> existing) {
    auto t = tmpl::ParseTemplate(template_text, ".env.template");
    if (!t.ok()) return t.status();
    std::optional<SecretValue> old;
    if (existing) old.emplace(*existing);
    Logger log(sink_);
    auto records = Records(secrets);
    auto plan = MakePlan(config_, *t, records, old, log);
    if (!plan.ok()) {
      EXPECT_THAT(std::string(plan.status().message()), Not(HasSubstr(kCanary)));
    }
    EXPECT_THAT(sink_.Joined(), Not(HasSubstr(kCanary)));
    return plan;
  }

  v1::DeploymentConfig config_ = Config();
  CapturingLogSink sink_;
};

constexpr char kTemplate[] =
    "# GlitchTip\n"
    "SECRET_KEY=${SECRET_KEY}\n"
    "\n"
    "EMAIL_URL=${EMAIL_URL}\n"
    "PORT=8000  # verbatim\n";

const std::vector<std::pair<std::string, std::string>> kSecrets = {
    {"SECRET_KEY", kCanary}, {"EMAIL_URL", "smtp://a:b@mail.example.com:587"}};

TEST_F(PlanTest, FirstRunAddsEveryVariableAndKeepsCommentsAndBlankLines) {
  auto plan = Make(kTemplate, kSecrets, std::nullopt);
  ASSERT_THAT(plan, IsOk());
  EXPECT_FALSE(plan->unchanged);
  EXPECT_THAT(plan->added, ElementsAre("EMAIL_URL", "PORT", "SECRET_KEY"));
  EXPECT_THAT(plan->changed, IsEmpty());
  EXPECT_THAT(plan->removed, IsEmpty());
  EXPECT_EQ(plan->content,
            SecretValue(absl::StrCat("# GlitchTip\nSECRET_KEY='", kCanary,
                                     "'\n\nEMAIL_URL='smtp://a:b@mail.example.com:587'\n"
                                     "PORT=8000  # verbatim\n")));
  EXPECT_THAT(plan->services, ElementsAre("web", "worker"));
}

TEST_F(PlanTest, IdenticalBytesAreUnchangedWithNoNames) {
  auto first = Make(kTemplate, kSecrets, std::nullopt);
  ASSERT_THAT(first, IsOk());
  auto plan = Make(kTemplate, kSecrets, std::string(first->content.Expose()));
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->unchanged);
  EXPECT_THAT(plan->added, IsEmpty());
  EXPECT_THAT(plan->changed, IsEmpty());
  EXPECT_THAT(plan->removed, IsEmpty());
}

TEST_F(PlanTest, ChangedValueNamesOnlyThatVariableAndItsServices) {
  auto plan = Make(kTemplate, kSecrets,
                   "# GlitchTip\nSECRET_KEY='old-value'\n\n"
                   "EMAIL_URL='smtp://a:b@mail.example.com:587'\nPORT=8000\n");
  ASSERT_THAT(plan, IsOk());
  EXPECT_THAT(plan->changed, ElementsAre("SECRET_KEY"));
  EXPECT_THAT(plan->added, IsEmpty());
  EXPECT_THAT(plan->removed, IsEmpty());
  EXPECT_THAT(plan->services, ElementsAre("web"));
}

TEST_F(PlanTest, VariableGoneFromTheTemplateIsRemoved) {
  auto plan = Make(kTemplate, kSecrets,
                   absl::StrCat("SECRET_KEY='", kCanary, "'\nOLD_TOKEN=x\n"
                                "EMAIL_URL='smtp://a:b@mail.example.com:587'\nPORT=8000\n"));
  ASSERT_THAT(plan, IsOk());
  EXPECT_THAT(plan->removed, ElementsAre("OLD_TOKEN"));
  EXPECT_THAT(plan->changed, IsEmpty());
  EXPECT_THAT(plan->services, IsEmpty());  // a removal restarts no spec'd service
}

TEST_F(PlanTest, UnparsableOldLinesAreCountedNeverNamedOrQuoted) {
  auto plan = Make(kTemplate, kSecrets,
                   absl::StrCat("K=-----BEGIN KEY-----\nMIIEp", kCanary,
                                "+Oi\nno-equals-here ", kCanary, "\n"));
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->unparsable_lines, 2);
  EXPECT_THAT(plan->removed, ElementsAre("K"));
  EXPECT_THAT(sink_.Joined(), HasSubstr("lines=2"));
}

TEST_F(PlanTest, TheLinesOfAnUnquotedPemKeyAreNeverReadAsNames) {
  // An old cron script wrote a PEM key unquoted: its lines follow the header;
  // one of them even looks like NAME= (base64 without + or /).
  auto plan = Make(kTemplate, kSecrets,
                   absl::StrCat("TLS_KEY=-----BEGIN KEY-----\nMIIEp", kCanary, "Oi\nMIIEpAIB",
                                "CanaryB64x=\n-----END KEY-----\n\nOLD_TOKEN=x\n"));
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->unparsable_lines, 3);
  EXPECT_THAT(plan->removed, ElementsAre("OLD_TOKEN", "TLS_KEY"));
}

TEST_F(PlanTest, InvalidNamesAreRefusedNamingThem) {
  // A reference to a secret whose name is not a valid variable name.
  EXPECT_THAT(Make("A=${bad-name}\n", {{"bad-name", kCanary}}, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad-name")));
  // A variable whose name is not valid.
  EXPECT_THAT(Make("9A=${SECRET_KEY}\n", kSecrets, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("9A")));
}

TEST_F(PlanTest, StoreSecretsWithNamesNoVariableCanHoldAreIgnoredUnlessReferenced) {
  auto plan = Make(kTemplate,
                   {{"SECRET_KEY", kCanary},
                    {"EMAIL_URL", "smtp://a:b@mail.example.com:587"},
                    {"some.dotted-name", kCanary}},
                   std::nullopt);
  ASSERT_THAT(plan, IsOk());
  EXPECT_THAT(plan->added, ElementsAre("EMAIL_URL", "PORT", "SECRET_KEY"));
}

TEST_F(PlanTest, UnknownSecretIsNotFoundNamingItAndItsLine) {
  auto plan = Make(kTemplate, {{"SECRET_KEY", kCanary}}, std::nullopt);
  EXPECT_THAT(plan, StatusIs(absl::StatusCode::kNotFound,
                             HasSubstr("references unknown secret EMAIL_URL")));
}

TEST_F(PlanTest, SeedsGmailEmailUrlIsAcceptedWithAWarningThatNamesTheSecret) {
  auto plan = Make(kTemplate,
                   {{"SECRET_KEY", kCanary},
                    {"EMAIL_URL", "smtp://user@gmail.com:app-password@smtp.gmail.com:587"}},
                   std::nullopt);
  ASSERT_THAT(plan, IsOk());
  EXPECT_THAT(sink_.Joined(), HasSubstr("secret=EMAIL_URL"));
  EXPECT_THAT(sink_.Joined(), HasSubstr("%40"));
  EXPECT_THAT(sink_.Joined(), Not(HasSubstr("app-password")));
}

TEST_F(PlanTest, SecretFailingItsValidatorIsInvalidArgumentNamingIt) {
  auto plan = Make(kTemplate, {{"SECRET_KEY", "k"}, {"EMAIL_URL", kCanary}}, std::nullopt);
  EXPECT_THAT(plan, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("secret EMAIL_URL")));
}

}  // namespace
}  // namespace sync
}  // namespace secretsync

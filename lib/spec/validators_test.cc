// Table-driven tests for the secret validators; failures must never echo the value.
#include "lib/spec/validators.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace spec {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

// Distinctive pieces planted in the values; none may appear in any message.
constexpr const char* kCanaries[] = {"canaryuser", "CanaryPw9", "canary.example", "4587"};

v1::SecretSpec Spec(v1::Validator::Kind kind, uint32_t min_length = 0) {
  v1::SecretSpec spec;
  spec.set_name("EMAIL_URL");
  spec.mutable_validator()->set_kind(kind);
  spec.mutable_validator()->set_min_length(min_length);
  return spec;
}

TEST(ValidatorsTest, SmtpUrlCases) {
  struct Case {
    std::string value;
    std::string problem;  // "" = valid
  };
  const Case kCases[] = {
      {"smtp://canary.example:4587", ""},
      {"smtps://canaryuser:CanaryPw9@canary.example:465", ""},
      {"SMTP://canaryuser%40gmail.com:CanaryPw9%2F@canary.example:587", ""},
      {"smtp://canaryuser:CanaryPw9@[::1]:25", ""},
      // The seed's own examples: GlitchTip (Python's urlsplit) ends the
      // userinfo at the LAST '@' and splits user:password at the FIRST ':'.
      {"smtp://canaryuser@gmail.com:app-CanaryPw9@smtp.canary.example:587", ""},
      {"smtp://postmaster@domain:CanaryPw9@smtp.mailgun.canary.example:587", ""},
      {"smtp://canaryuser:Canary:Pw9@canary.example:587", ""},
      {"smtp+tls://canaryuser:CanaryPw9@canary.example:587", ""},
      // What GlitchTip would misread: '/', '?' or '#' before the last '@'.
      {"smtp://apikey:SG.CanaryPw9/y@smtp.sendgrid.canary.example:587", "cut the host"},
      {"smtp://canaryuser:CanaryPw9?x@canary.example:587", "cut the host"},
      {"smtp://canaryuser:CanaryPw9#x@canary.example:587", "cut the host"},
      {"smtp://canaryuser:Canary[Pw9@canary.example:587", "'[' or ']'"},
      {"smtp://@canary.example:587", "userinfo before '@' is empty"},
      {"smtp://:CanaryPw9@canary.example:587", "empty user name"},
      {"smtp://canary.example", "port is required"},
      {"smtp://canary.example:", "port must be a number"},
      {"smtp://canary.example:0", "port must be a number"},
      {"smtp://canary.example:65536", "port must be a number"},
      {"smtp://canary.example:45x7", "port must be a number"},
      {"smtp://:4587", "host is missing"},
      {"http://canary.example:4587", "scheme must be smtp://"},
      {"gmail://canary.example:4587", "scheme must be smtp://"},
      {"canary.example:4587", "expected scheme://host"},
      {"smtp://canary.example:4587/path", "no path"},
      {"smtp://canary example:4587", "whitespace"},
      {std::string("smtp://canary.example:4587\0", 27), "NUL"},
      {"smtp://canary.example:4587\xff", "not valid UTF-8"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(absl::StrCat("case ", &c - kCases));
    absl::Status s = ValidateSecret(Spec(v1::Validator::SMTP_URL), SecretValue(c.value));
    if (c.problem.empty()) {
      EXPECT_THAT(s, IsOk());
      continue;
    }
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.problem)));
    EXPECT_THAT(std::string(s.message()), HasSubstr("secret EMAIL_URL: "));
    for (const char* canary : kCanaries) {
      EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr(canary)));
    }
  }
}

TEST(ValidatorsTest, RawAtInSmtpUserinfoIsAcceptedWithAWarningNamingTheRule) {
  std::vector<std::string> warnings;
  absl::Status s = ValidateSecret(Spec(v1::Validator::SMTP_URL),
                                  SecretValue(std::string(
                                      "smtp://canaryuser@gmail.com:CanaryPw9@canary.example:587")),
                                  &warnings);
  EXPECT_THAT(s, IsOk());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("secret EMAIL_URL: userinfo has a raw '@'"));
  EXPECT_THAT(warnings[0], HasSubstr("%40"));
  for (const char* canary : kCanaries) EXPECT_THAT(warnings[0], ::testing::Not(HasSubstr(canary)));
}

TEST(ValidatorsTest, UrlCases) {
  struct Case {
    std::string value;
    bool valid;
  };
  const Case kCases[] = {
      {"https://canary.example", true},
      {"https://canary.example:4587/a/b?c=d#e", true},
      {"postgres://canaryuser:CanaryPw9@canary.example:5432/db", true},
      {"redis://canary.example:4587", true},
      {"https://", false},
      {"https://canary.example:99999", false},
      {"https://canaryuser@x:CanaryPw9@canary.example", false},
      {"canary.example", false},
      {"1http://canary.example", false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(absl::StrCat("case ", &c - kCases));
    absl::Status s = ValidateSecret(Spec(v1::Validator::URL), SecretValue(c.value));
    EXPECT_EQ(s.ok(), c.valid) << s;
    for (const char* canary : kCanaries) {
      EXPECT_THAT(std::string(s.message()), ::testing::Not(HasSubstr(canary)));
    }
  }
}

TEST(ValidatorsTest, MinLengthCountsBytesAndHidesTheValue) {
  EXPECT_THAT(ValidateSecret(Spec(v1::Validator::MIN_LENGTH, 9), SecretValue(std::string("CanaryPw9"))),
              IsOk());
  absl::Status s =
      ValidateSecret(Spec(v1::Validator::MIN_LENGTH, 32), SecretValue(std::string("CanaryPw9")));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "secret EMAIL_URL: shorter than the spec's minimum of 32 bytes"));
}

TEST(ValidatorsTest, UnspecifiedKindOnlyRequiresAValidDotenvValue) {
  EXPECT_THAT(ValidateSecret(Spec(v1::Validator::KIND_UNSPECIFIED), SecretValue(std::string("a b$'\"\n"))),
              IsOk());
  EXPECT_THAT(ValidateSecret(Spec(v1::Validator::KIND_UNSPECIFIED),
                             SecretValue(std::string("CanaryPw9\0", 10))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL")));
}

}  // namespace
}  // namespace spec
}  // namespace secretsync

// ScramSha256Verifier against vectors from an independent implementation
// (Python's hashlib/hmac), the format check, and what is refused.
#include "lib/postgres/scram_verifier.h"

#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace postgres {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::IsOkAndHolds;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kCanary[] = "CANARY-scram-7d1e-do-not-print";

class FixedRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t* buf, size_t len) override {
    for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(next_++);
    return absl::OkStatus();
  }
  int next_ = 'A';
};

class FailingRandom : public RandomSource {
 public:
  absl::Status Fill(uint8_t*, size_t) override { return absl::InternalError("no entropy"); }
};

struct Vector {
  const char* password;
  std::string salt;
  int iterations;
  const char* verifier;
};

TEST(ScramVerifierTest, MatchesIndependentVectors) {
  // RFC 7677's example password and salt, and two more; expected values from
  // hashlib.pbkdf2_hmac + hmac in Python.
  const Vector vectors[] = {
      {"pencil",
       std::string("\x5b\x6d\x99\x68\x9d\x12\x35\x8e\xec\xa0\x4b\x14\x12\x36\xfa\x81", 16), 4096,
       "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
       "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="},
      {"Glitch-Tip 2024!", "0123456789abcdef", 4096,
       "SCRAM-SHA-256$4096:MDEyMzQ1Njc4OWFiY2RlZg==$h7b7LDl5NoHPBtXhMiLph53Xldq6tmoAGXkk18LbzL0=:"
       "+W+rcytWpMu8y0bFUnmyHWs11Uw0wstwaafUrJ1J10c="},
      {"x", "s", 1,
       "SCRAM-SHA-256$1:cw==$LprQP/hEiWAwTvK7gmcXtDeeb9QTy5IbbHYPVAgzJ6U=:"
       "M/4sHRIPWiq+a+Ms4Os7DjFKs67djbxYLszZBJTdXMY="},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.verifier);
    auto got = ScramSha256Verifier(SecretValue(std::string(v.password)), v.salt, v.iterations);
    EXPECT_THAT(got, IsOkAndHolds(std::string(v.verifier)));
    EXPECT_THAT(ValidateScramVerifier(v.verifier), IsOk());
  }
}

TEST(ScramVerifierTest, RandomSaltIs16BytesFromTheSource) {
  FixedRandom random;
  auto got = ScramSha256Verifier(SecretValue(std::string("pencil")), random);
  // Bytes 'A'..'P' are "QUJDREVGR0hJSktMTU5PUA==" in base64.
  EXPECT_THAT(got, IsOkAndHolds(StartsWith("SCRAM-SHA-256$4096:QUJDREVGR0hJSktMTU5PUA==$")));
  ASSERT_THAT(got, IsOk());
  EXPECT_THAT(ValidateScramVerifier(*got), IsOk());
  EXPECT_THAT(got, IsOkAndHolds(Not(HasSubstr("pencil"))));
}

TEST(ScramVerifierTest, RandomSourceFailureIsReturned) {
  FailingRandom random;
  EXPECT_THAT(ScramSha256Verifier(SecretValue(std::string("pencil")), random),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("salt")));
}

TEST(ScramVerifierTest, RefusesWhatItCannotHashLikeTheServer) {
  struct Case {
    std::string password;
    const char* why;
  } cases[] = {
      {"", "empty"},
      {std::string(kCanary) + "\xc2\xad", "non-ASCII"},       // soft hyphen
      {std::string(kCanary) + "\xc2\xa0x", "non-ASCII"},      // NBSP
      {std::string(kCanary) + "\xef\xac\x81", "non-ASCII"},   // U+FB01
      {std::string(kCanary) + "\xff", "non-ASCII"},           // invalid UTF-8
      {std::string(kCanary) + std::string(1, '\0') + "x", "NUL"},
  };
  for (const Case& c : cases) {
    auto got = ScramSha256Verifier(SecretValue(c.password), "salt", 4096);
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.why)));
    EXPECT_THAT(std::string(got.status().message()), Not(HasSubstr(kCanary)));
  }
  EXPECT_THAT(ScramSha256Verifier(SecretValue(std::string("pw")), "", 4096),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("salt")));
  EXPECT_THAT(ScramSha256Verifier(SecretValue(std::string("pw")), "salt", 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("iterations")));
}

TEST(ScramVerifierTest, ValidateRejectsStringsTheServerWouldTakeAsPlaintext) {
  const std::string good =
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
  ASSERT_THAT(ValidateScramVerifier(good), IsOk());
  const char* bad[] = {
      "",
      "SCRAM-SHA-256$4096:bad$x:y",  // the doc's example: the server took it as plaintext
      "md5abcdef",
      "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
      "SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
      "SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU='; DROP ROLE x; --",
  };
  for (const char* b : bad) {
    EXPECT_THAT(ValidateScramVerifier(b), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << b;
  }
}

TEST(ScramVerifierTest, MatchesRecomputesWithTheStoredSaltAndIterations) {
  const std::string stored =
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
  EXPECT_THAT(ScramVerifierMatches(stored, SecretValue(std::string("pencil"))),
              IsOkAndHolds(true));
  EXPECT_THAT(ScramVerifierMatches(stored, SecretValue(std::string("pencil2"))),
              IsOkAndHolds(false));
  EXPECT_THAT(ScramVerifierMatches("SCRAM-SHA-256$1:cw==$LprQP/hEiWAwTvK7gmcXtDeeb9QTy5IbbHYPVAgzJ6U=:"
                                   "M/4sHRIPWiq+a+Ms4Os7DjFKs67djbxYLszZBJTdXMY=",
                                   SecretValue(std::string("x"))),
              IsOkAndHolds(true));
  EXPECT_THAT(ScramVerifierMatches("md5d41d8cd98f00b204e9800998ecf8427e",
                                   SecretValue(std::string("pencil"))),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("md5d41d8"))));
  EXPECT_THAT(ScramVerifierMatches(stored, SecretValue(std::string("caf\xc3\xa9"))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ASCII")));
}

}  // namespace
}  // namespace postgres
}  // namespace secretsync

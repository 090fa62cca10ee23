// WebhookVerifier: every refusal of the issue's hostile list, and acceptance.
#include "lib/webhook/verifier.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/fake_clock.h"
#include "lib/testing/status_matchers.h"
#include "lib/webhook/signature.h"

namespace secretsync {
namespace webhook {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kKey = "CANARY-webhook-key-5521";
constexpr absl::string_view kJson = "application/json";

class VerifierTest : public ::testing::Test {
 protected:
  VerifierTest() : verifier_(clock_, Options()) {}

  static VerifierOptions Options() {
    VerifierOptions o;
    o.key = SecretValue(kKey);
    return o;
  }
  std::string Body(int64_t ts, absl::string_view event = "secrets.modified") {
    return SerializeDelivery(Delivery{std::string(event), "ws-1", "prod", "/app", ts});
  }
  int64_t NowMs() { return absl::ToUnixMillis(clock_.TimeNow()); }
  std::string Sign(absl::string_view body) {
    absl::StatusOr<std::string> h = SignDelivery(SecretValue(kKey), body);
    EXPECT_THAT(h, IsOk());
    return h.value_or("");
  }
  // The refusal's status, after checking the message leaks nothing.
  int Refusal(const IncomingDelivery& in) {
    absl::StatusOr<Delivery> d = verifier_.Verify(in);
    EXPECT_FALSE(d.ok());
    if (d.ok()) return 200;
    EXPECT_THAT(d.status().message(), Not(HasSubstr("CANARY")));
    if (in.signature.has_value() && in.signature->size() > 20) {
      EXPECT_THAT(d.status().message(), Not(HasSubstr(in.signature->substr(15, 16))));
    }
    return HttpStatusForRefusal(d.status());
  }

  FakeClock clock_;
  WebhookVerifier verifier_;
};

TEST_F(VerifierTest, AcceptsASignedFreshDelivery) {
  std::string body = Body(NowMs());
  std::string sig = Sign(body);
  absl::StatusOr<Delivery> d = verifier_.Verify({kJson, sig, body});
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->secret_path, "/app");
  EXPECT_TRUE(verifier_.requires_signature());
}

TEST_F(VerifierTest, AcceptsTheRealInfisicalVector) {
  FakeClock clock(absl::FromUnixMillis(1796396457716 + 900));
  VerifierOptions o;
  o.key = SecretValue(std::string("test-webhook-key"));
  WebhookVerifier v(clock, std::move(o));
  absl::StatusOr<Delivery> d = v.Verify(
      {"application/json",
       "t=1796396457716;7f783ffd1a59c35ebc3c1f1f7bb34c024bb14712dd03410d05ff7c89a2d4683b",
       R"({"event":"secrets.modified","project":{"workspaceId":"fc74c058-28b7-49f5-bc2d-a3993d078084","environment":"prod","secretPath":"/"},"timestamp":1796396457716})"});
  EXPECT_THAT(d, IsOk());
}

TEST_F(VerifierTest, ContentTypeParametersAndCaseAreAllowed) {
  for (absl::string_view ct : {"application/json; charset=utf-8", "Application/JSON",
                               " application/json ;charset=UTF-8"}) {
    std::string body = Body(NowMs() + static_cast<int64_t>(ct.size()));
    EXPECT_THAT(verifier_.Verify({ct, Sign(body), body}), IsOk()) << ct;
  }
}

TEST_F(VerifierTest, RefusesABadSignature) {
  std::string body = Body(NowMs());
  std::string sig = Sign(body);
  sig.back() = sig.back() == '0' ? '1' : '0';
  EXPECT_EQ(Refusal({kJson, sig, body}), 401);
  std::string other = SignatureHeaderValue(SecretValue(std::string("other-key")), body, NowMs());
  EXPECT_EQ(Refusal({kJson, other, body}), 401);
  EXPECT_EQ(Refusal({kJson, absl::string_view("t=1;zz"), body}), 401);
}

TEST_F(VerifierTest, RefusesAMissingSignatureWhenAKeyIsSet) {
  std::string body = Body(NowMs());
  EXPECT_EQ(Refusal({kJson, std::nullopt, body}), 401);
}

TEST_F(VerifierTest, RefusesStaleAndFutureTimestamps) {
  for (absl::Duration off : {-absl::Minutes(5) - absl::Milliseconds(1),
                             absl::Minutes(5) + absl::Milliseconds(1), -absl::Hours(24)}) {
    std::string body = Body(NowMs() + absl::ToInt64Milliseconds(off));
    EXPECT_EQ(Refusal({kJson, Sign(body), body}), 401);
  }
  for (absl::Duration off : {-absl::Minutes(5), absl::Minutes(5)}) {
    std::string body = Body(NowMs() + absl::ToInt64Milliseconds(off));
    EXPECT_THAT(verifier_.Verify({kJson, Sign(body), body}), IsOk());
  }
}

TEST_F(VerifierTest, RefusesAHeaderTimestampThatDiffersFromTheBody) {
  std::string body = Body(NowMs());
  std::string sig = SignatureHeaderValue(SecretValue(kKey), body, NowMs() - 1);
  EXPECT_EQ(Refusal({kJson, sig, body}), 401);
}

TEST_F(VerifierTest, RefusesAReplayInsideTheWindow) {
  std::string body = Body(NowMs());
  std::string sig = Sign(body);
  ASSERT_THAT(verifier_.Verify({kJson, sig, body}), IsOk());
  clock_.Advance(absl::Minutes(4));
  absl::StatusOr<Delivery> again = verifier_.Verify({kJson, sig, body});
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("replayed")));
  clock_.Advance(absl::Minutes(2));
  // Past the window the timestamp, not the cache, refuses it.
  EXPECT_THAT(verifier_.Verify({kJson, sig, body}),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("older")));
}

TEST_F(VerifierTest, ARefusedDeliveryIsNotRecordedAsSeen) {
  std::string body = Body(NowMs());
  std::string sig = Sign(body);
  EXPECT_EQ(Refusal({absl::string_view("text/plain"), sig, body}), 400);
  EXPECT_THAT(verifier_.Verify({kJson, sig, body}), IsOk());
}

TEST_F(VerifierTest, RefusesAnOversizedBody) {
  std::string body = Body(NowMs());
  body.append(kDefaultMaxBodyBytes, ' ');
  EXPECT_EQ(Refusal({kJson, Sign(body), body}), 413);
}

TEST_F(VerifierTest, RefusesBadJsonAndMissingFieldsWith400) {
  std::string bad = "{\"event\":";
  EXPECT_EQ(Refusal({kJson, SignatureHeaderValue(SecretValue(kKey), bad, NowMs()), bad}), 400);
  std::string no_path = R"({"event":"test","project":{"workspaceId":"w","environment":"e"},)"
                        R"("timestamp":)" + std::to_string(NowMs()) + "}";
  EXPECT_EQ(Refusal({kJson, SignatureHeaderValue(SecretValue(kKey), no_path, NowMs()), no_path}),
            400);
}

TEST_F(VerifierTest, RefusesAMissingOrWrongContentType) {
  std::string body = Body(NowMs());
  EXPECT_EQ(Refusal({std::nullopt, Sign(body), body}), 400);
  for (absl::string_view ct : {"text/plain", "application/jsonx", "application/x-www-form-urlencoded",
                               ""}) {
    EXPECT_EQ(Refusal({ct, Sign(body), body}), 400) << ct;
  }
}

TEST_F(VerifierTest, UnsignedBodiesNeverReachTheParser) {
  // A bad signature on bad JSON is a 401, not a 400: the MAC is checked first.
  std::string bad = "not json";
  EXPECT_EQ(Refusal({kJson, SignatureHeaderValue(SecretValue(std::string("x")), bad, 1), bad}), 401);
}

TEST(VerifierNoKeyTest, NoKeyMeansNoSignatureButStillTheWindow) {
  FakeClock clock;
  WebhookVerifier v(clock, VerifierOptions{});
  EXPECT_FALSE(v.requires_signature());
  int64_t now = absl::ToUnixMillis(clock.TimeNow());
  std::string body = SerializeDelivery(Delivery{"test", "w", "e", "/", now});
  EXPECT_THAT(v.Verify({kJson, std::nullopt, body}), IsOk());
  std::string old = SerializeDelivery(Delivery{"test", "w", "e", "/", now - 3600 * 1000});
  EXPECT_THAT(v.Verify({kJson, std::nullopt, old}), StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST(VerifierCapacityTest, AFullReplayCacheAnswers503) {
  FakeClock clock;
  VerifierOptions o;
  o.key = SecretValue(kKey);
  o.replay_capacity = 2;
  WebhookVerifier v(clock, std::move(o));
  int64_t now = absl::ToUnixMillis(clock.TimeNow());
  int statuses[3];
  for (int i = 0; i < 3; ++i) {
    std::string body = SerializeDelivery(Delivery{"test", "w", "e", "/", now + i});
    absl::StatusOr<std::string> sig = SignDelivery(SecretValue(kKey), body);
    absl::StatusOr<Delivery> d = v.Verify({kJson, *sig, body});
    statuses[i] = d.ok() ? 202 : HttpStatusForRefusal(d.status());
  }
  EXPECT_THAT(statuses, ::testing::ElementsAre(202, 202, 503));
}

}  // namespace
}  // namespace webhook
}  // namespace secretsync

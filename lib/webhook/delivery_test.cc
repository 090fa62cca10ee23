// ParseDelivery: accepted events, the required fields, and exact serialising.
#include "lib/webhook/delivery.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace webhook {
namespace {

using ::secretsync::testing::IsOk;
using ::secretsync::testing::StatusIs;
using ::testing::HasSubstr;

constexpr absl::string_view kRealBody =
    R"({"event":"secrets.modified","project":{"workspaceId":"fc74c058-28b7-49f5-bc2d-a3993d078084","environment":"prod","secretPath":"/"},"timestamp":1796396457716})";

TEST(DeliveryTest, ParsesTheRealInfisicalBody) {
  absl::StatusOr<Delivery> d = ParseDelivery(kRealBody);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->event, "secrets.modified");
  EXPECT_EQ(d->workspace_id, "fc74c058-28b7-49f5-bc2d-a3993d078084");
  EXPECT_EQ(d->environment, "prod");
  EXPECT_EQ(d->secret_path, "/");
  EXPECT_EQ(d->timestamp_ms, 1796396457716);
  EXPECT_FALSE(d->is_test());
}

TEST(DeliveryTest, SerializesExactlyAsInfisicalDoes) {
  absl::StatusOr<Delivery> d = ParseDelivery(kRealBody);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(SerializeDelivery(*d), kRealBody);
}

TEST(DeliveryTest, AcceptsTheDocsSpellingAndTheTestEvent) {
  for (absl::string_view event : {"secret.modified", "test"}) {
    Delivery in{std::string(event), "ws", "dev", "/app", 5};
    absl::StatusOr<Delivery> d = ParseDelivery(SerializeDelivery(in));
    ASSERT_THAT(d, IsOk()) << event;
    EXPECT_EQ(d->event, event);
    EXPECT_EQ(d->is_test(), event == "test");
  }
}

TEST(DeliveryTest, IgnoresUnknownFields) {
  EXPECT_THAT(ParseDelivery(R"({"event":"test","extra":[1],"project":{"workspaceId":"w",)"
                            R"("environment":"e","secretPath":"/","x":1},"timestamp":1})"),
              IsOk());
}

struct BadCase {
  const char* body;
  const char* field;
};

TEST(DeliveryTest, RefusesBadBodiesNamingTheField) {
  const BadCase cases[] = {
      {"", "not valid JSON"},
      {"{\"event\":", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {R"({"project":{},"timestamp":1})", "event is missing"},
      {R"({"event":7})", "event is not a string"},
      {R"({"event":"secrets.deleted"})", "event is not a known"},
      {R"({"event":"test","timestamp":1})", "project is missing"},
      {R"({"event":"test","project":"p","timestamp":1})", "project is not an object"},
      {R"({"event":"test","project":{"environment":"e","secretPath":"/"},"timestamp":1})",
       "project.workspaceId is missing"},
      {R"({"event":"test","project":{"workspaceId":1,"environment":"e","secretPath":"/"}})",
       "project.workspaceId is not a string"},
      {R"({"event":"test","project":{"workspaceId":"w","secretPath":"/"},"timestamp":1})",
       "project.environment is missing"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e"},"timestamp":1})",
       "project.secretPath is missing"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e","secretPath":"/"}})",
       "timestamp is missing"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e","secretPath":"/"},)"
       R"("timestamp":"1"})",
       "timestamp is not an integer"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e","secretPath":"/"},)"
       R"("timestamp":1.5})",
       "timestamp is not an integer"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e","secretPath":"/"},)"
       R"("timestamp":-1})",
       "timestamp is negative"},
      {R"({"event":"test","project":{"workspaceId":"w","environment":"e","secretPath":"/"},)"
       R"("timestamp":18446744073709551615})",
       "timestamp is out of range"},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(ParseDelivery(c.body),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.body;
  }
}

TEST(DeliveryTest, ErrorsNeverQuoteTheBody) {
  absl::StatusOr<Delivery> d = ParseDelivery(R"({"event":"CANARY-7731","project":{}})");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), ::testing::Not(HasSubstr("CANARY")));
  d = ParseDelivery("{\"CANARY-7731");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), ::testing::Not(HasSubstr("CANARY")));
}

}  // namespace
}  // namespace webhook
}  // namespace secretsync

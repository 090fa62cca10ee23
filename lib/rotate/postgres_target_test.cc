// The PostgreSQL login settings live in one place: the deployment config's
// `postgres` section. The spec's old postgres_admin_dsn, which nothing read,
// is reserved.
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "proto/spec.pb.h"

namespace secretsync {
namespace rotate {
namespace {

TEST(PostgresTargetTest, SpecHasNoAdminDsnThatNothingReads) {
  const google::protobuf::Descriptor* rotation = v1::Rotation::descriptor();
  EXPECT_EQ(rotation->FindFieldByName("postgres_admin_dsn"), nullptr);
  EXPECT_TRUE(rotation->IsReservedName("postgres_admin_dsn"));
  EXPECT_TRUE(rotation->IsReservedNumber(2));
  // An old spec that still sets it loads: the text parser skips reserved names.
  v1::SecretSpec spec;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "name: \"POSTGRES_PASSWORD\" rotation { postgres_role: \"r\" "
      "postgres_admin_dsn: \"host=/var/run/postgresql user=postgres\" }",
      &spec));
  EXPECT_EQ(spec.rotation().postgres_role(), "r");
}

}  // namespace
}  // namespace rotate
}  // namespace secretsync

// Route matching by project id, environment and folder glob.
#include "lib/hub/router.h"

#include "google/protobuf/text_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace secretsync {
namespace hub {
namespace {

using ::testing::ElementsAre;

secretsync::v1::HubConfig Config() {
  secretsync::v1::HubConfig c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"pb(
    routes { name: "web" project_id: "p1" environment: "prod" secret_path: "/**" }
    routes { name: "db" project_id: "p1" environment: "prod" secret_path: "/db/**" }
    routes { name: "staging" project_id: "p1" environment: "staging" secret_path: "/" }
    routes { name: "other" project_id: "p2" environment: "prod" secret_path: "/" }
  )pb", &c));
  return c;
}

Change At(const char* project, const char* env, const char* path) {
  return Change{"secrets.modified", project, env, path, 1};
}

TEST(RouterTest, MatchesEveryRouteOfTheFolder) {
  RouteMatch m = MatchRoutes(Config(), At("p1", "prod", "/db/"));
  EXPECT_TRUE(m.known_project);
  EXPECT_THAT(m.routes, ElementsAre(0u, 1u));
}

TEST(RouterTest, EnvironmentMustBeEqual) {
  EXPECT_THAT(MatchRoutes(Config(), At("p1", "staging", "/")).routes, ElementsAre(2u));
  EXPECT_TRUE(MatchRoutes(Config(), At("p1", "dev", "/")).routes.empty());
}

TEST(RouterTest, KnownProjectWithoutRouteMatchesNothing) {
  RouteMatch m = MatchRoutes(Config(), At("p2", "prod", "/other"));
  EXPECT_TRUE(m.known_project);
  EXPECT_TRUE(m.routes.empty());
}

TEST(RouterTest, UnknownProjectIsSaid) {
  RouteMatch m = MatchRoutes(Config(), At("p3", "prod", "/"));
  EXPECT_FALSE(m.known_project);
  EXPECT_TRUE(m.routes.empty());
}

TEST(RouterTest, TestEventTriggersNothing) {
  Change c = At("p1", "prod", "/");
  c.event = "test";
  RouteMatch m = MatchRoutes(Config(), c);
  EXPECT_TRUE(m.known_project);
  EXPECT_TRUE(m.routes.empty());
}

}  // namespace
}  // namespace hub
}  // namespace secretsync

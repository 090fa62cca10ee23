// Log lines are one event per line with key=value fields, quoted when needed.
#include "lib/base/log.h"

#include "gtest/gtest.h"

namespace secretsync {
namespace {

TEST(LogTest, FormatsEventWithFields) {
  CapturingLogSink sink;
  Logger log(sink);
  log.Info("sync.rendered").Field("path", "/opt/glitchtip/.env").Field("ms", 84);
  log.Warn("sync.retry").Field("why", "server said \"busy\"");
  ASSERT_EQ(sink.lines().size(), 2u);
  EXPECT_EQ(sink.lines()[0], "I sync.rendered path=/opt/glitchtip/.env ms=84");
  EXPECT_EQ(sink.lines()[1], "W sync.retry why=\"server said \\\"busy\\\"\"");
}

TEST(LogTest, NewlinesCannotForgeLines) {
  CapturingLogSink sink;
  Logger(sink).Error("x").Field("msg", "a\nI fake.event");
  ASSERT_EQ(sink.lines().size(), 1u);
  EXPECT_EQ(sink.lines()[0].find('\n'), std::string::npos);
}

}  // namespace
}  // namespace secretsync

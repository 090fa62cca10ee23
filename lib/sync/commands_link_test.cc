// The sync and keygen command libraries link into one binary (no duplicate
// flags), as rotate and the agent need.
#include "gtest/gtest.h"
#include "lib/keygen/keygen_command.h"
#include "lib/sync/sync_command.h"

namespace secretsync {
namespace {

TEST(CommandsLinkTest, SyncAndKeygenLinkTogether) {
  // Both entry points are reachable from one binary.
  EXPECT_NE(&sync::RunSync, nullptr);
  EXPECT_NE(&keygen::RunKeygen, nullptr);
  EXPECT_NE(std::string(sync::kSyncUsage), std::string(keygen::kKeygenUsage));
}

}  // namespace
}  // namespace secretsync

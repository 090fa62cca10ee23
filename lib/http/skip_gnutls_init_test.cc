// skip_gnutls_init: the switch only works if the binary exports it, so that
// GnuTLS's constructor (which looks it up through the dynamic symbol table
// when libcurl is loaded) finds ours instead of its own weak default.
#include <dlfcn.h>

#include "gtest/gtest.h"
#include "lib/http/curl_library.h"

namespace secretsync {
namespace http {
namespace {

TEST(SkipGnutlsInitTest, TheBinaryExportsTheSwitchAndItSaysSkip) {
  using Skip = int (*)();
  void* self = dlopen(nullptr, RTLD_NOW);
  ASSERT_NE(self, nullptr);
  auto skip = reinterpret_cast<Skip>(dlsym(self, "_gnutls_global_init_skip"));
  ASSERT_NE(skip, nullptr) << "not in the dynamic symbol table: the linkopt is missing";
  EXPECT_EQ(skip(), 1);
}

TEST(SkipGnutlsInitTest, LibcurlStillLoadsAndInitialises) {
  absl::StatusOr<const CurlLibrary*> curl = LoadCurlLibrary();
  ASSERT_TRUE(curl.ok()) << curl.status();
  void* handle = (*curl)->easy_init();
  ASSERT_NE(handle, nullptr);
  (*curl)->easy_cleanup(handle);
}

}  // namespace
}  // namespace http
}  // namespace secretsync

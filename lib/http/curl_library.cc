// LoadCurlLibrary: dlopen + dlsym, once.
#include "lib/http/curl_library.h"

#include <dlfcn.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace secretsync {
namespace http {
namespace {

template <typename Fn>
bool Resolve(void* lib, const char* name, Fn* out, std::string* missing) {
  *out = reinterpret_cast<Fn>(dlsym(lib, name));
  if (*out == nullptr && missing->empty()) *missing = name;
  return *out != nullptr;
}

absl::StatusOr<const CurlLibrary*> Load() {
  static CurlLibrary library;
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    return absl::FailedPreconditionError(
        "cannot load libcurl.so.4: install the libcurl4 package (apt-get install libcurl4)");
  }
  std::string missing;
  Resolve(lib, "curl_global_init", &library.global_init, &missing);
  Resolve(lib, "curl_easy_init", &library.easy_init, &missing);
  Resolve(lib, "curl_easy_cleanup", &library.easy_cleanup, &missing);
  Resolve(lib, "curl_easy_reset", &library.easy_reset, &missing);
  Resolve(lib, "curl_easy_setopt", &library.easy_setopt, &missing);
  Resolve(lib, "curl_easy_perform", &library.easy_perform, &missing);
  Resolve(lib, "curl_easy_getinfo", &library.easy_getinfo, &missing);
  Resolve(lib, "curl_easy_strerror", &library.easy_strerror, &missing);
  Resolve(lib, "curl_slist_append", &library.slist_append, &missing);
  Resolve(lib, "curl_slist_free_all", &library.slist_free_all, &missing);
  if (!missing.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("libcurl.so.4 lacks ", missing, ": install libcurl4 7.73 or newer"));
  }
  // curl_global_init is process-wide and must run once before any handle.
  if (library.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return absl::FailedPreconditionError("curl_global_init failed");
  }
  return &library;  // never unloaded: handles may live until exit
}

}  // namespace

absl::StatusOr<const CurlLibrary*> LoadCurlLibrary() {
  static const absl::StatusOr<const CurlLibrary*> loaded = Load();
  return loaded;
}

}  // namespace http
}  // namespace secretsync

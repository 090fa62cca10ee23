// libcurl, loaded with dlopen on first use. Binaries that never talk HTTP
// (keygen without --push, sync --check) then skip mapping libcurl and its ~30
// dependencies, about 15 ms of start-up (tests/bench/keygen_bench.sh).
#ifndef SECRETSYNC_LIB_HTTP_CURL_LIBRARY_H_
#define SECRETSYNC_LIB_HTTP_CURL_LIBRARY_H_

#include <curl/curl.h>

#include "absl/status/statusor.h"

namespace secretsync {
namespace http {

// The libcurl functions the transport uses, resolved from libcurl.so.4.
struct CurlLibrary {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// Loads libcurl.so.4 once per process and runs curl_global_init. Thread-safe.
// FailedPrecondition when the library or a symbol is missing (the message
// names the package to install) or global init fails.
absl::StatusOr<const CurlLibrary*> LoadCurlLibrary();

}  // namespace http
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_HTTP_CURL_LIBRARY_H_

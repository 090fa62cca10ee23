// ApiRequest and ApiResponse: one HTTP exchange of the dev server as plain
// values, so the API is testable without sockets (http_server.h converts).
#ifndef SECRETSYNC_LIB_DEVSERVER_API_MESSAGE_H_
#define SECRETSYNC_LIB_DEVSERVER_API_MESSAGE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace secretsync {
namespace devserver {

struct ApiRequest {
  std::string method;  // "GET"
  std::string path;    // percent-decoded, without the query string
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;
};

struct ApiResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
  std::string content_type = "application/json; charset=utf-8";

  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(absl::string_view name) const;
};

}  // namespace devserver
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DEVSERVER_API_MESSAGE_H_

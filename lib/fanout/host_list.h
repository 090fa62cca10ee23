// The fan-out's list of agents: "host:port[=tls-name]" entries from flags and
// files, and the loopback test behind --insecure_loopback_plaintext.
#ifndef SECRETSYNC_LIB_FANOUT_HOST_LIST_H_
#define SECRETSYNC_LIB_FANOUT_HOST_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace secretsync {
namespace fanout {

// One agent to call.
struct HostEntry {
  std::string target;       // "name:port", "1.2.3.4:port" or "[v6]:port": what is dialled
  std::string server_name;  // name its certificate must carry; empty: --tls_server_name
};

// Parses "host:port" or "host:port=tls-name" (the name checked against the
// agent's certificate instead of the dialled host). The host is a DNS name, an
// IPv4 address or a bracketed IPv6 address; the port is 1..65535.
// INVALID_ARGUMENT otherwise, e.g. for an unbracketed IPv6 address
// ("::1:7800"), whose message suggests the bracketed form ("[::1]:7800").
absl::StatusOr<HostEntry> ParseHostEntry(absl::string_view entry);

// Parses a hosts file: one entry (as ParseHostEntry) per line; blank lines and
// '#' comments are ignored; repeats of a target are dropped (the first wins).
// `source` names the file in errors. INVALID_ARGUMENT naming the line for a
// bad entry.
absl::StatusOr<std::vector<HostEntry>> ParseHostList(absl::string_view text,
                                                     absl::string_view source);

// Appends `more` to `hosts`, dropping entries whose target is already there
// (the first occurrence wins, with its TLS name).
void MergeHosts(std::vector<HostEntry>& hosts, const std::vector<HostEntry>& more);

// True only when the host part of `target` ("host:port") is an IPv4 address in
// 127.0.0.0/8 (as inet_pton reads it: four decimal parts), "[::1]", or exactly
// "localhost". Anything else, such as "127.0.0.1.attacker.example", is false.
bool IsLoopbackTarget(absl::string_view target);

}  // namespace fanout
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_FANOUT_HOST_LIST_H_

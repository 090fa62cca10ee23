// The compose-exact .env writer (docs/dotenv.md, "The writing rule").
#include "lib/dotenv/writer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/utf8.h"
#include "lib/dotenv/env_name.h"

namespace secretsync {
namespace dotenv {

absl::Status AppendDotenvLine(absl::string_view key, bool export_prefix,
                              const SecretValue& value, std::string* out) {
  SS_RETURN_IF_ERROR(Annotate(dotenv::ValidateEnvName(key), "dotenv"));
  absl::string_view v = value.Expose();
  if (v.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("dotenv: value of ", key, " contains a NUL byte"));
  }
  if (!IsValidUtf8(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dotenv: value of ", key, " is not valid UTF-8"));
  }
  if (export_prefix) out->append("export ");
  out->append(key.data(), key.size());
  out->push_back('=');
  bool single = v.find('\'') == absl::string_view::npos &&
                v.find('\r') == absl::string_view::npos && !absl::EndsWith(v, "\\");
  if (single) {
    out->push_back('\'');
    out->append(v.data(), v.size());
    out->append("'\n");
    return absl::OkStatus();
  }
  out->push_back('"');
  for (char c : v) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '"': out->append("\\\""); break;
      case '$': out->append("\\$"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
  out->append("\"\n");
  return absl::OkStatus();
}

absl::StatusOr<SecretValue> WriteDotenv(const RenderedEnv& env) {
  // Duplicate keys first, on sorted views of env's keys: a std::set of
  // 10,000 copied keys cost more than writing the lines.
  std::vector<absl::string_view> keys;
  keys.reserve(env.lines().size());
  for (const RenderedEnv::Line& line : env.lines()) {
    if (!line.key.empty()) keys.push_back(line.key);
  }
  std::sort(keys.begin(), keys.end());
  auto duplicate = std::adjacent_find(keys.begin(), keys.end());
  if (duplicate != keys.end()) {
    return absl::InvalidArgumentError(absl::StrCat("dotenv: duplicate key ", *duplicate));
  }
  std::string out;
  for (const RenderedEnv::Line& line : env.lines()) {
    if (line.verbatim) {
      if (line.text.find('\n') != std::string::npos) {
        return absl::InvalidArgumentError("dotenv: a verbatim line contains a newline");
      }
      out.append(line.text);
      out.push_back('\n');
      continue;
    }
    absl::Status s = AppendDotenvLine(line.key, line.export_prefix, line.value, &out);
    if (!s.ok()) {
      SecretValue wipe(std::move(out));  // wipes the partial output
      return s;
    }
  }
  return SecretValue(std::move(out));
}

}  // namespace dotenv
}  // namespace secretsync

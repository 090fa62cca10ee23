// SQLSTATE -> absl::StatusCode, and libpq connection-error parsing.
#include "lib/postgres/pg_error.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace postgres {
namespace {

bool IsSqlState(absl::string_view s) {
  if (s.size() != 5) return false;
  for (char c : s) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s.empty()) return absl::StatusCode::kUnavailable;
  if (s == "28P01") return absl::StatusCode::kUnauthenticated;
  if (s == "28000" || s == "42501") return absl::StatusCode::kPermissionDenied;
  if (s == "3D000" || s == "42704") return absl::StatusCode::kNotFound;
  if (s == "42710") return absl::StatusCode::kAlreadyExists;
  if (s == "55000") return absl::StatusCode::kFailedPrecondition;
  if (absl::StartsWith(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" ||
      s == "53300") {
    return absl::StatusCode::kUnavailable;
  }
  if (s == "55P03" || s == "57014" || s == "40P01") return absl::StatusCode::kAborted;
  return absl::StatusCode::kInternal;
}

absl::Status PgError(absl::string_view context, absl::string_view sqlstate,
                     absl::string_view server_message,
                     std::initializer_list<absl::string_view> secrets) {
  std::string message(absl::StripAsciiWhitespace(
      server_message.substr(0, server_message.find('\n'))));
  for (absl::string_view secret : secrets) {
    if (!secret.empty()) absl::StrReplaceAll({{secret, "<redacted>"}}, &message);
  }
  if (message.empty()) message = "no message";
  std::string text = absl::StrCat(context, ": ", message);
  if (!sqlstate.empty()) absl::StrAppend(&text, " (SQLSTATE ", sqlstate, ")");
  return absl::Status(CodeForSqlState(sqlstate), text);
}

ParsedConnectError ParseConnectError(absl::string_view libpq_message) {
  // libpq may report several attempts (one per address); the server's own
  // error is the line with a severity and a SQLSTATE.
  ParsedConnectError out;
  std::vector<absl::string_view> lines = absl::StrSplit(libpq_message, '\n');
  for (absl::string_view line : lines) {
    for (absl::string_view severity : {"FATAL:", "ERROR:", "PANIC:"}) {
      size_t at = line.find(severity);
      if (at == absl::string_view::npos) continue;
      absl::string_view rest = absl::StripLeadingAsciiWhitespace(line.substr(at + severity.size()));
      if (rest.size() > 6 && IsSqlState(rest.substr(0, 5)) && rest[5] == ':') {
        out.sqlstate = std::string(rest.substr(0, 5));
        out.message = std::string(absl::StripAsciiWhitespace(rest.substr(6)));
        return out;
      }
    }
  }
  for (absl::string_view line : lines) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty()) {
      out.message = std::string(line);
      break;
    }
  }
  return out;
}

}  // namespace postgres
}  // namespace secretsync

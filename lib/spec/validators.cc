// Secret validators. URLs are checked by a small RFC 3986 authority parser
// written here: it must report *what* is wrong without echoing any byte of the
// value, which no library parser (curl's URL API included) promises.
#include "lib/spec/validators.h"

#include <cstddef>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/utf8.h"

namespace secretsync {
namespace spec {
namespace {

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char c) { return absl::StrContains("!$&'()*+,;=", c); }

// Returns "" when ok, else the problem (never containing value bytes).
std::string CheckPercentEncoded(absl::string_view part, absl::string_view what,
                                bool allow_colon) {
  int colons = 0;
  for (size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (c == '%') {
      if (i + 2 >= part.size() || !absl::ascii_isxdigit(part[i + 1]) || !absl::ascii_isxdigit(part[i + 2])) {
        return absl::StrCat(what, " has a '%' not followed by two hex digits");
      }
      i += 2;
      continue;
    }
    if (c == ':') {
      ++colons;
      if (!allow_colon || colons > 1) {
        return absl::StrCat(what, " has a raw ':'; percent-encode it as %3A");
      }
      continue;
    }
    if (c == '@') return absl::StrCat(what, " has a raw '@'; percent-encode it as %40");
    if (IsUnreserved(c) || IsSubDelim(c)) continue;
    if (c == ' ') return absl::StrCat(what, " has a space; percent-encode it as %20");
    return absl::StrCat(what, " has a character that must be percent-encoded");
  }
  return "";
}

// Parses scheme://[userinfo@]host[:port][/path][?query][#fragment].
std::string CheckUrl(absl::string_view url, bool smtp) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return "contains whitespace or a control character";
    }
  }
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos || sep == 0) return "not a URL: expected scheme://host";
  absl::string_view scheme = url.substr(0, sep);
  if (!absl::ascii_isalpha(scheme[0])) return "not a URL: the scheme must start with a letter";
  for (char c : scheme) {
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') {
      return "not a URL: invalid character in the scheme";
    }
  }
  if (smtp && !absl::EqualsIgnoreCase(scheme, "smtp") &&
      !absl::EqualsIgnoreCase(scheme, "smtps")) {
    return "scheme must be smtp:// or smtps://";
  }
  absl::string_view rest = url.substr(sep + 3);
  // The userinfo ends at the last '@' before any query or fragment, so an
  // unencoded '/', '@' or '#' in a password is reported as such rather than
  // being mistaken for the start of a path.
  absl::string_view before_query = rest.substr(0, rest.find_first_of("?#"));
  size_t at = before_query.rfind('@');
  absl::string_view userinfo;
  if (at != absl::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (userinfo.empty()) return "userinfo before '@' is empty";
    std::string problem = CheckPercentEncoded(userinfo, "userinfo", /*allow_colon=*/true);
    if (!problem.empty()) return problem;
    if (userinfo[0] == ':') return "userinfo has an empty user name";
  }
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  absl::string_view host = authority;
  absl::string_view port;
  bool has_port = false;
  if (absl::StartsWith(authority, "[")) {
    size_t close = authority.find(']');
    if (close == absl::string_view::npos) return "IPv6 host is missing its ']'";
    host = authority.substr(0, close + 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "unexpected character after the IPv6 host";
      has_port = true;
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != absl::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      has_port = true;
    }
    for (char c : host) {
      if (!IsUnreserved(c) && !IsSubDelim(c) && c != '%') {
        return "host has a character that is not allowed in a host name";
      }
    }
  }
  if (host.empty()) return "host is missing";
  if (has_port || smtp) {
    if (!has_port) return "port is required (e.g. smtp://host:587)";
    int number = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) digits = digits && absl::ascii_isdigit(c);
    if (!digits || !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return "port must be a number from 1 to 65535";
    }
  }
  if (smtp) {
    absl::string_view path = rest.substr(authority.size());
    if (!path.empty() && path != "/" && path[0] == '/') {
      return "an SMTP URL has no path";
    }
  }
  return "";
}

}  // namespace

absl::Status ValidateSecret(const v1::SecretSpec& spec, const SecretValue& value) {
  absl::string_view bytes = value.Expose();
  std::string problem;
  if (bytes.find('\0') != absl::string_view::npos) {
    problem = "contains a NUL byte, which a .env file cannot hold";
  } else if (!IsValidUtf8(bytes)) {
    problem = "is not valid UTF-8";
  } else {
    switch (spec.validator().kind()) {
      case v1::Validator::SMTP_URL:
        problem = CheckUrl(bytes, /*smtp=*/true);
        if (!problem.empty()) problem = absl::StrCat("not a valid smtp:// URL: ", problem);
        break;
      case v1::Validator::URL:
        problem = CheckUrl(bytes, /*smtp=*/false);
        if (!problem.empty()) problem = absl::StrCat("not a valid URL: ", problem);
        break;
      case v1::Validator::MIN_LENGTH:
        if (bytes.size() < spec.validator().min_length()) {
          problem = absl::StrCat("shorter than the spec's minimum of ",
                                 spec.validator().min_length(), " bytes");
        }
        break;
      default:
        break;
    }
  }
  if (problem.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("secret ", spec.name(), ": ", problem));
}

}  // namespace spec
}  // namespace secretsync

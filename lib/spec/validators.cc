// Secret validators. URLs are checked by a small RFC 3986 authority parser
// written here: it must report *what* is wrong without echoing any byte of the
// value, which no library parser (curl's URL API included) promises.
#include "lib/spec/validators.h"

#include <cstddef>
#include <algorithm>
#include <string>
#include <vector>

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
std::string CheckUrl(absl::string_view url) {
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
  if (has_port) {
    int number = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) digits = digits && absl::ascii_isdigit(c);
    if (!digits || !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
      return "port must be a number from 1 to 65535";
    }
  }
  return "";
}

// How GlitchTip reads EMAIL_URL: django-environ's email_url_config over
// Python's urllib.parse.urlsplit. The netloc ends at the first '/', '?' or
// '#'; the userinfo ends at the netloc's LAST '@'; user and password split at
// the userinfo's FIRST ':'; the host ends at the first ':' after the '@'.
// Returns "" when GlitchTip reads it as meant, else the problem (never a part
// of the value). Forms it reads correctly but other tools may not are
// accepted with a warning appended to `warnings`.
std::string CheckSmtpUrl(absl::string_view url, std::vector<std::string>* warnings) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return "contains whitespace or a control character";
    }
  }
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos || sep == 0) return "not a URL: expected scheme://host";
  const std::string scheme = absl::AsciiStrToLower(url.substr(0, sep));
  if (scheme != "smtp" && scheme != "smtps" && scheme != "smtp+tls" && scheme != "smtp+ssl") {
    return "scheme must be smtp://, smtps://, smtp+tls:// or smtp+ssl://";
  }
  absl::string_view rest = url.substr(sep + 3);
  const size_t netloc_end = std::min(rest.find_first_of("/?#"), rest.size());
  absl::string_view netloc = rest.substr(0, netloc_end);
  absl::string_view tail = rest.substr(netloc_end);
  if (tail.find('@') != absl::string_view::npos) {
    return "userinfo has a '/', '?' or '#' before its last '@', where GlitchTip would cut the "
           "host: percent-encode it (%2F, %3F, %23)";
  }
  const size_t at = netloc.rfind('@');
  absl::string_view hostport = netloc;
  if (at != absl::string_view::npos) {
    absl::string_view userinfo = netloc.substr(0, at);
    hostport = netloc.substr(at + 1);
    if (userinfo.empty()) return "userinfo before '@' is empty";
    if (userinfo[0] == ':') return "userinfo has an empty user name";
    if (userinfo.find_first_of("[]") != absl::string_view::npos) {
      return "userinfo has '[' or ']', which Python's URL parser rejects: percent-encode them "
             "(%5B, %5D)";
    }
    if (warnings != nullptr && userinfo.find('@') != absl::string_view::npos) {
      warnings->push_back(
          "userinfo has a raw '@': GlitchTip reads it (the host starts after the last '@'), "
          "other tools may not; percent-encode it as %40");
    }
  }
  absl::string_view host = hostport;
  absl::string_view port;
  bool has_port = false;
  if (absl::StartsWith(hostport, "[")) {
    size_t close = hostport.find(']');
    if (close == absl::string_view::npos) return "IPv6 host is missing its ']'";
    host = hostport.substr(1, close - 1);
    absl::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "unexpected character after the IPv6 host";
      has_port = true;
      port = after.substr(1);
    }
    for (char c : host) {
      if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') return "IPv6 host is not valid";
    }
  } else {
    size_t colon = hostport.find(':');
    if (colon != absl::string_view::npos) {
      host = hostport.substr(0, colon);
      port = hostport.substr(colon + 1);
      has_port = true;
    }
    if (hostport.find_first_of("[]") != absl::string_view::npos) return "host is not valid";
    for (char c : host) {
      if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '_') {
        return "host has a character that is not allowed in a host name";
      }
    }
  }
  if (host.empty()) return "host is missing";
  if (!has_port) return "port is required (e.g. smtp://host:587)";
  int number = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && absl::ascii_isdigit(c);
  if (!digits || !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
    return "port must be a number from 1 to 65535";
  }
  absl::string_view path = tail.substr(0, tail.find_first_of("?#"));
  if (!path.empty() && path != "/") return "an SMTP URL has no path";
  return "";
}

}  // namespace

absl::Status ValidateSecret(const v1::SecretSpec& spec, const SecretValue& value,
                            std::vector<std::string>* warnings) {
  absl::string_view bytes = value.Expose();
  std::string problem;
  if (bytes.find('\0') != absl::string_view::npos) {
    problem = "contains a NUL byte, which a .env file cannot hold";
  } else if (!IsValidUtf8(bytes)) {
    problem = "is not valid UTF-8";
  } else {
    switch (spec.validator().kind()) {
      case v1::Validator::SMTP_URL: {
        std::vector<std::string> found;
        problem = CheckSmtpUrl(bytes, &found);
        if (!problem.empty()) problem = absl::StrCat("not a valid smtp:// URL: ", problem);
        if (warnings != nullptr) {
          for (const std::string& w : found) {
            warnings->push_back(absl::StrCat("secret ", spec.name(), ": ", w));
          }
        }
        break;
      }
      case v1::Validator::URL:
        problem = CheckUrl(bytes);
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

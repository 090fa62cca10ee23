// Template filters. base64/base64url come from abseil; urlencode and json are a
// few lines here (curl_easy_escape would drag libcurl into the renderer, and
// nlohmann::json throws on invalid UTF-8 while this code base has no exceptions).
#include "lib/template/filters.h"

#include "lib/base/url_encode.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "lib/base/check.h"

namespace secretsync {
namespace tmpl {
namespace {


std::string JsonEscape(absl::string_view in) {
  std::string out;
  out.reserve(in.size() + 8);
  for (char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& FilterNames() {
  static const auto* names = new std::vector<std::string>{
      "base64", "base64url", "json", "lower", "trim", "upper", "urlencode"};
  return *names;
}

bool IsKnownFilter(absl::string_view name) {
  for (const std::string& known : FilterNames()) {
    if (known == name) return true;
  }
  return false;
}

std::string ApplyFilter(absl::string_view name, absl::string_view in) {
  if (name == "urlencode") return UrlEncode(in);
  if (name == "base64") return absl::Base64Escape(in);
  if (name == "base64url") return absl::WebSafeBase64Escape(in);
  if (name == "json") return JsonEscape(in);
  if (name == "trim") return std::string(absl::StripAsciiWhitespace(in));
  if (name == "upper") return absl::AsciiStrToUpper(in);
  if (name == "lower") return absl::AsciiStrToLower(in);
  SS_CHECK(false && "ApplyFilter called with an unknown filter");
  return std::string();
}

}  // namespace tmpl
}  // namespace secretsync

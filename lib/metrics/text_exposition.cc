// The text format's escaping: label values escape backslash, double quote
// and newline; help text escapes backslash and newline. Values as Go's
// strconv would read them back: NaN, +Inf, -Inf, else 16 significant digits
// (what prometheus-cpp writes).
#include "lib/metrics/text_exposition.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace secretsync {
namespace metrics {
namespace {

void AppendEscaped(std::string& out, absl::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    absl::StrAppendFormat(&out, "%.16g", value);
  }
}

}  // namespace

void TextExposition::Add(absl::string_view family, Type type, absl::string_view help,
                         const Labels& labels, double value) {
  Family* found = nullptr;
  for (Family& f : families_) {
    if (f.name == family) found = &f;
  }
  if (found == nullptr) {
    families_.push_back(Family{std::string(family), type, std::string(help), {}});
    found = &families_.back();
  }
  double& series = found->series[labels];  // a new series starts at 0
  if (found->type == Type::kGauge) {
    series = value;
  } else if (value > 0) {
    series += value;
  }
}

std::string TextExposition::Text() const {
  std::string out;
  for (const Family& f : families_) {
    absl::StrAppend(&out, "# HELP ", f.name, " ");
    AppendEscaped(out, f.help, /*escape_quote=*/false);
    absl::StrAppend(&out, "\n# TYPE ", f.name, f.type == Type::kCounter ? " counter\n" : " gauge\n");
    for (const auto& [labels, value] : f.series) {
      out += f.name;
      if (!labels.empty()) {
        const char* separator = "{";
        for (const auto& [name, label_value] : labels) {
          absl::StrAppend(&out, separator, name, "=\"");
          AppendEscaped(out, label_value, /*escape_quote=*/true);
          out += "\"";
          separator = ",";
        }
        out += "}";
      }
      out += " ";
      AppendValue(out, value);
      out += "\n";
    }
  }
  return out;
}

}  // namespace metrics
}  // namespace secretsync

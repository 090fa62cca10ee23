// Template parser and renderer (syntax in template.h).
#include "lib/template/template.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/base/status_macros.h"
#include "lib/dotenv/reader.h"
#include "lib/base/utf8.h"
#include "lib/dotenv/env_name.h"
#include "lib/template/filters.h"

namespace secretsync {
namespace tmpl {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// In a double-quoted value starting at `open` (the quote), the offset of the
// first `\0ddd` escape the dotenv reader decodes to `$`, or npos. Such a `$`
// starts an interpolation when compose reads the file, which a line copied
// verbatim cannot promise (the keys it would see are those of the whole
// output). Mirrors DecodeEscapes in lib/dotenv/reader.cc. Found by
// tests/fuzz:template_fuzz (regressions/template_fuzz/octal-dollar).
size_t OctalDollarEscape(absl::string_view text, size_t open) {
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '"') return absl::string_view::npos;  // the closing quote
    if (text[i] != '\\' || i + 1 == text.size()) continue;
    if (text[i + 1] != '0') {
      ++i;  // a two-character escape (\" \\ \n ...) or an unknown one
      continue;
    }
    size_t j = i + 2;
    int code = 0;
    while (j < text.size() && j < i + 5 && text[j] >= '0' && text[j] <= '7') {
      code = code * 8 + (text[j] - '0');
      ++j;
    }
    if (j > i + 2 && (code & 0xFF) == '$') return i;
    i = (j > i + 2 ? j : i + 2) - 1;
  }
  return absl::string_view::npos;
}

class LineParser {
 public:
  LineParser(absl::string_view filename, int line, absl::string_view text)
      : filename_(filename), line_(line), text_(text) {}

  absl::Status Error(size_t offset, absl::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat("template ", filename_, ":", line_, ":", offset + 1, ": ", why));
  }

  absl::StatusOr<TemplateLine> Parse() {
    TemplateLine out;
    out.line = line_;
    out.text = std::string(text_);
    if (text_.find('\r') != absl::string_view::npos) {
      return Error(text_.find('\r'), "carriage return (CRLF line endings are not supported)");
    }
    if (text_.find('\0') != absl::string_view::npos) {
      return Error(text_.find('\0'), "NUL byte");
    }
    if (!IsValidUtf8(text_)) return Error(0, "line is not valid UTF-8");
    size_t pos = 0;
    while (pos < text_.size() && IsBlank(text_[pos])) ++pos;
    if (pos == text_.size() || text_[pos] == '#') return out;
    if (absl::StartsWith(text_.substr(pos), "export") && pos + 6 < text_.size() &&
        IsBlank(text_[pos + 6])) {
      out.export_prefix = true;
      pos += 6;
      while (pos < text_.size() && IsBlank(text_[pos])) ++pos;
    }
    size_t eq = text_.find('=', pos);
    if (eq == absl::string_view::npos) return Error(pos, "expected KEY=value");
    absl::string_view key = text_.substr(pos, eq - pos);
    absl::Status name_ok = dotenv::ValidateEnvName(key);
    if (!name_ok.ok()) return Error(pos, name_ok.message());
    out.key = std::string(key);
    size_t value_start = eq + 1;
    absl::string_view value = text_.substr(value_start);
    if (value.find('$') == absl::string_view::npos) {
      size_t open = value_start;
      while (open < text_.size() && IsBlank(text_[open])) ++open;
      if (open < text_.size() && text_[open] == '"') {
        size_t octal = OctalDollarEscape(text_, open);
        if (octal != absl::string_view::npos) {
          return Error(octal, absl::StrCat("value of ", key,
                                           " writes `$` as an octal escape; write $$ for a "
                                           "literal `$` or ${NAME} for a secret"));
        }
      }
      // Copied verbatim: record what compose will read from it.
      absl::StatusOr<dotenv::DotenvMap> parsed = dotenv::ParseDotenv(text_, filename_);
      if (!parsed.ok()) {
        return Error(value_start, absl::StrCat("value of ", key, " is not valid dotenv"));
      }
      auto it = parsed->find(key);
      if (it != parsed->end()) out.verbatim_value = std::string(it->second.Expose());
      return out;
    }
    out.rendered = true;
    size_t start = value_start;
    while (start < text_.size() && IsBlank(text_[start])) ++start;
    size_t end = text_.size();
    if (start < text_.size() && (text_[start] == '\'' || text_[start] == '"')) {
      char quote = text_[start];
      size_t close = text_.find(quote, start + 1);
      if (close == absl::string_view::npos) {
        return Error(start, absl::StrCat("quoted value of ", key, " does not close on its line"));
      }
      size_t after = close + 1;
      while (after < text_.size() && IsBlank(text_[after])) ++after;
      if (after < text_.size() && text_[after] != '#') {
        return Error(after, absl::StrCat("unexpected text after the closing quote of ", key));
      }
      if (quote == '"') {
        size_t backslash = text_.find('\\', start);
        if (backslash < close) {
          return Error(backslash,
                       "backslash escapes are not supported in a rendered value; use "
                       "single quotes or none");
        }
      }
      end = close;
      ++start;
    } else {
      size_t comment = text_.find(" #", start);
      size_t tab_comment = text_.find("\t#", start);
      end = std::min(comment, tab_comment);
      if (end == absl::string_view::npos) end = text_.size();
      while (end > start && IsBlank(text_[end - 1])) --end;
    }
    SS_RETURN_IF_ERROR(ParseValue(start, end, &out.segments));
    return out;
  }

 private:
  void AppendLiteral(absl::string_view s, std::vector<Segment>* segs) {
    if (s.empty()) return;
    if (segs->empty() || segs->back().is_reference) segs->emplace_back();
    segs->back().literal.append(s.data(), s.size());
  }

  absl::Status ParseValue(size_t start, size_t end, std::vector<Segment>* segs) {
    size_t i = start;
    while (i < end) {
      size_t dollar = text_.find('$', i);
      if (dollar == absl::string_view::npos || dollar >= end) {
        AppendLiteral(text_.substr(i, end - i), segs);
        break;
      }
      AppendLiteral(text_.substr(i, dollar - i), segs);
      if (dollar + 1 < end && text_[dollar + 1] == '$') {
        AppendLiteral("$", segs);
        i = dollar + 2;
        continue;
      }
      if (dollar + 1 >= end || text_[dollar + 1] != '{') {
        return Error(dollar, "'$' must start ${NAME} or be doubled as $$");
      }
      size_t close = text_.find('}', dollar + 2);
      if (close == absl::string_view::npos || close >= end) {
        return Error(dollar, "unterminated ${");
      }
      Segment seg;
      seg.is_reference = true;
      seg.reference.line = line_;
      seg.reference.column = static_cast<int>(dollar) + 1;
      size_t part_start = dollar + 2;
      bool first = true;
      while (true) {
        size_t bar = text_.find('|', part_start);
        size_t part_end = (bar == absl::string_view::npos || bar > close) ? close : bar;
        absl::string_view part = text_.substr(part_start, part_end - part_start);
        size_t lead = 0;
        while (lead < part.size() && IsBlank(part[lead])) ++lead;
        absl::string_view word = absl::StripAsciiWhitespace(part);
        size_t col = part_start + lead;
        if (first) {
          if (word.empty()) return Error(dollar, "empty secret name in ${}");
          if (!dotenv::ValidateEnvName(word).ok()) {
            return Error(col, absl::StrCat("invalid secret name \"", absl::CHexEscape(word),
                                           "\" in ${...}"));
          }
          seg.reference.name = std::string(word);
        } else {
          if (word.empty()) return Error(col, "empty filter after '|'");
          if (!IsKnownFilter(word)) {
            return Error(col, absl::StrCat("unknown filter \"", absl::CHexEscape(word),
                                           "\" (known: ", absl::StrJoin(FilterNames(), ", "),
                                           ")"));
          }
          seg.reference.filters.emplace_back(word);
        }
        first = false;
        if (part_end == close) break;
        part_start = part_end + 1;
      }
      segs->push_back(std::move(seg));
      i = close + 1;
    }
    return absl::OkStatus();
  }

  absl::string_view filename_;
  int line_;
  absl::string_view text_;
};

}  // namespace

std::vector<std::string> Template::ReferencedNames() const {
  // Sorted and unique; a vector sorted once, not a std::set of 10,000 nodes.
  std::vector<std::string> names;
  for (const TemplateLine& line : lines_) {
    for (const Segment& seg : line.segments) {
      if (seg.is_reference) names.push_back(seg.reference.name);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

absl::StatusOr<Template> ParseTemplate(absl::string_view text, absl::string_view filename) {
  Template tmpl;
  tmpl.filename_ = std::string(filename);
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  if (absl::ConsumeSuffix(&text, "\n") || !text.empty()) {
    std::unordered_map<std::string, int> first_line;  // key -> the line it is on
    int number = 0;
    for (absl::string_view raw : absl::StrSplit(text, '\n')) {
      ++number;
      SS_ASSIGN_OR_RETURN(TemplateLine line, LineParser(filename, number, raw).Parse());
      if (!line.key.empty()) {
        auto inserted = first_line.emplace(line.key, number);
        if (!inserted.second) {
          return absl::InvalidArgumentError(
              absl::StrCat("template ", filename, ":", number, ":1: duplicate key ", line.key,
                           " (first defined on line ", inserted.first->second, ")"));
        }
      }
      tmpl.lines_.push_back(std::move(line));
    }
  }
  return tmpl;
}

SecretLookup MapLookup(const std::map<std::string, SecretValue, std::less<>>& secrets) {
  return [&secrets](absl::string_view name) -> const SecretValue* {
    auto it = secrets.find(name);
    return it == secrets.end() ? nullptr : &it->second;
  };
}

absl::StatusOr<dotenv::RenderedEnv> Render(const Template& tmpl, const SecretLookup& lookup) {
  dotenv::RenderedEnv env;
  std::vector<std::string> missing;
  for (const TemplateLine& line : tmpl.lines()) {
    if (!line.rendered) {
      env.AddVerbatim(line.text, line.key, SecretValue(line.verbatim_value));
      continue;
    }
    std::string value;
    for (const Segment& seg : line.segments) {
      if (!seg.is_reference) {
        value += seg.literal;
        continue;
      }
      const Reference& ref = seg.reference;
      const SecretValue* secret = lookup(ref.name);
      if (secret == nullptr) {
        missing.push_back(absl::StrCat(tmpl.filename(), ":", ref.line, ":", ref.column,
                                       " references unknown secret ", ref.name));
        continue;
      }
      if (ref.filters.empty()) {
        value.append(secret->Expose().data(), secret->size());
        continue;
      }
      SecretValue current = secret->Copy();
      for (const std::string& filter : ref.filters) {
        current = SecretValue(ApplyFilter(filter, current.Expose()));
      }
      value.append(current.Expose().data(), current.size());
    }
    env.AddEntry(line.key, line.export_prefix, SecretValue(std::move(value)));
  }
  if (!missing.empty()) {
    return absl::NotFoundError(absl::StrCat("template ", absl::StrJoin(missing, "; ")));
  }
  return env;
}

}  // namespace tmpl
}  // namespace secretsync

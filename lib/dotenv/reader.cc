// Compose-compatible .env reader (see docs/dotenv.md for the rules it follows).
#include "lib/dotenv/reader.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/status_macros.h"
#include "lib/dotenv/env_name.h"

namespace secretsync {
namespace dotenv {
namespace {

bool IsNameStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }
bool IsKeyChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

class Parser {
 public:
  // With `unparsable` set, a statement that does not parse, or whose key is
  // not a valid variable name, is skipped (to the end of its line) and
  // counted instead of failing the parse.
  Parser(absl::string_view text, absl::string_view filename, int* unparsable = nullptr)
      : text_(text), filename_(filename), unparsable_(unparsable) {}

  absl::StatusOr<DotenvMap> Parse() {
    if (absl::StartsWith(text_, "\xEF\xBB\xBF")) pos_ = 3;
    while (pos_ < text_.size()) {
      SkipBlanks();
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == '\n' || c == '\r') {
        // A blank line ends an unquoted multi-line value.
        if (c == '\n' && (pos_ == 0 || text_[pos_ - 1] == '\n')) in_broken_value_ = false;
        Advance();
        continue;
      }
      if (c == '#') {
        SkipToEndOfLine();
        continue;
      }
      if (unparsable_ != nullptr && in_broken_value_) {
        // The rest of an unquoted multi-line value (a PEM key an old script
        // wrote with raw newlines): its lines may look like NAME=... but are
        // value bytes, so they are counted, never read as names.
        const bool end = absl::StartsWith(text_.substr(pos_), "-----END");
        SkipToEndOfLine();
        ++*unparsable_;
        if (end) in_broken_value_ = false;
        continue;
      }
      const size_t statement_start = pos_;
      const int statement_line = line_;
      absl::Status s = ParseStatement();
      if (!s.ok()) {
        if (unparsable_ == nullptr) return s;
        pos_ = statement_start;
        line_ = statement_line;
        SkipToEndOfLine();
        ++*unparsable_;
        in_broken_value_ = true;
      }
    }
    return std::move(values_);
  }

 private:
  absl::Status Error(absl::string_view why) const {
    return absl::InvalidArgumentError(absl::StrCat("dotenv ", filename_, ":", line_, ": ", why));
  }

  void Advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  void SkipBlanks() {
    while (pos_ < text_.size() && IsBlank(text_[pos_])) ++pos_;
  }
  void SkipToEndOfLine() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  absl::Status ParseStatement() {
    if (absl::StartsWith(text_.substr(pos_), "export") && pos_ + 6 < text_.size() &&
        IsBlank(text_[pos_ + 6])) {
      pos_ += 6;
      SkipBlanks();
    }
    size_t key_start = pos_;
    while (pos_ < text_.size() && IsKeyChar(text_[pos_])) ++pos_;
    std::string key(text_.substr(key_start, pos_ - key_start));
    SkipBlanks();
    if (key.empty()) return Error("expected a KEY=value line");
    if (pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '#' ||
        text_[pos_] == '\r') {
      // A bare KEY inherits from the environment in compose: nothing to read.
      SkipToEndOfLine();
      return absl::OkStatus();
    }
    if (text_[pos_] != '=' && text_[pos_] != ':') {
      return Error(absl::StrCat("invalid key starting ", key, ": expected '=' after it"));
    }
    if (unparsable_ != nullptr && !IsEnvName(key)) return Error("invalid key");
    ++pos_;
    SkipBlanks();
    std::string value;
    SS_RETURN_IF_ERROR(ParseValue(key, &value));
    if (absl::ascii_isdigit(key[0])) return absl::OkStatus();  // compose drops these
    values_.erase(key);
    values_.emplace(std::move(key), SecretValue(std::move(value)));
    return absl::OkStatus();
  }

  absl::Status ParseValue(const std::string& key, std::string* out) {
    if (pos_ >= text_.size()) return absl::OkStatus();
    char quote = text_[pos_];
    if (quote != '\'' && quote != '"') {
      size_t end = text_.find('\n', pos_);
      if (end == absl::string_view::npos) end = text_.size();
      absl::string_view raw = text_.substr(pos_, end - pos_);
      // An unquoted PEM header: the key's lines follow, unquoted.
      if (absl::StartsWith(raw, "-----BEGIN")) in_broken_value_ = true;
      size_t comment = raw.find(" #");
      if (comment != absl::string_view::npos) raw = raw.substr(0, comment);
      raw = absl::StripAsciiWhitespace(raw);
      pos_ = end;
      return Interpolate(key, raw, out);
    }
    int start_line = line_;
    Advance();  // opening quote
    size_t start = pos_;
    while (true) {
      if (pos_ >= text_.size()) {
        line_ = start_line;
        return Error(absl::StrCat("unterminated ", quote == '"' ? "double" : "single",
                                  "-quoted value for ", key));
      }
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size() &&
          (quote == '"' || text_[pos_ + 1] == '\'')) {
        Advance();
        Advance();
        continue;
      }
      if (c == quote) break;
      Advance();
    }
    absl::string_view raw = text_.substr(start, pos_ - start);
    ++pos_;  // closing quote
    SkipBlanks();
    if (pos_ < text_.size() && text_[pos_] == '#') SkipToEndOfLine();
    if (pos_ < text_.size() && text_[pos_] == '\r' &&
        (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')) {
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != '\n') {
      return Error(absl::StrCat("unexpected text after the closing quote of ", key));
    }
    if (quote == '\'') {
      out->reserve(raw.size());
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == '\'') continue;
        out->push_back(raw[i]);
      }
      return absl::OkStatus();
    }
    std::string unescaped = DecodeEscapes(raw);
    absl::Status s = Interpolate(key, unescaped, out);
    WipeString(unescaped);
    return s;
  }

  static std::string DecodeEscapes(absl::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c != '\\' || i + 1 == raw.size()) {
        out.push_back(c);
        continue;
      }
      char e = raw[i + 1];
      const char* simple = nullptr;
      switch (e) {
        case 'a': simple = "\a"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        case 'v': simple = "\v"; break;
        case '\\': simple = "\\"; break;
        case '"': simple = "\""; break;
        case '$': simple = "$$"; break;
        default: break;
      }
      if (simple != nullptr) {
        out.append(simple);
        ++i;
        continue;
      }
      if (e == '0') {
        size_t j = i + 2;
        int code = 0;
        while (j < raw.size() && j < i + 5 && raw[j] >= '0' && raw[j] <= '7') {
          code = code * 8 + (raw[j] - '0');
          ++j;
        }
        if (j > i + 2) {
          out.push_back(static_cast<char>(code & 0xFF));
          i = j - 1;
          continue;
        }
      }
      out.push_back(c);  // unknown escape: both characters stay
    }
    return out;
  }

  const SecretValue* Lookup(absl::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
  }

  absl::Status Interpolate(const std::string& key, absl::string_view in, std::string* out) {
    out->reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] != '$' || i + 1 == in.size()) {
        out->push_back(in[i]);
        continue;
      }
      char next = in[i + 1];
      if (next == '$') {
        out->push_back('$');
        ++i;
        continue;
      }
      if (IsNameStart(next)) {
        size_t j = i + 1;
        while (j < in.size() && IsNameChar(in[j])) ++j;
        const SecretValue* v = Lookup(in.substr(i + 1, j - i - 1));
        if (v != nullptr) out->append(v->Expose().data(), v->size());
        i = j - 1;
        continue;
      }
      if (next != '{') {
        out->push_back('$');
        continue;
      }
      size_t close = in.find('}', i + 2);
      if (close == absl::string_view::npos) {
        return Error(absl::StrCat("unterminated ${ in the value of ", key));
      }
      absl::string_view body = in.substr(i + 2, close - i - 2);
      size_t n = 0;
      while (n < body.size() && (n == 0 ? IsNameStart(body[n]) : IsNameChar(body[n]))) ++n;
      if (n == 0) return Error(absl::StrCat("malformed ${ in the value of ", key));
      absl::string_view name = body.substr(0, n);
      absl::string_view rest = body.substr(n);
      const SecretValue* v = Lookup(name);
      bool set = v != nullptr;
      bool nonempty = set && !v->empty();
      absl::string_view current = set ? v->Expose() : absl::string_view();
      bool colon = absl::ConsumePrefix(&rest, ":");
      bool have = colon ? nonempty : set;
      if (rest.empty() && !colon) {
        out->append(current.data(), current.size());
      } else if (absl::ConsumePrefix(&rest, "-")) {
        if (have) {
          out->append(current.data(), current.size());
        } else {
          out->append(rest.data(), rest.size());
        }
      } else if (absl::ConsumePrefix(&rest, "+")) {
        if (have) out->append(rest.data(), rest.size());
      } else if (absl::ConsumePrefix(&rest, "?")) {
        if (!have) {
          return Error(absl::StrCat("required variable ", name, " is missing in the value of ", key));
        }
        out->append(current.data(), current.size());
      } else {
        return Error(absl::StrCat("malformed ${ in the value of ", key));
      }
      i = close;
    }
    return absl::OkStatus();
  }

  absl::string_view text_;
  absl::string_view filename_;
  int* unparsable_;
  bool in_broken_value_ = false;  // lenient mode: inside an unquoted multi-line value
  size_t pos_ = 0;
  int line_ = 1;
  DotenvMap values_;
};

}  // namespace

absl::StatusOr<DotenvMap> ParseDotenv(absl::string_view text, absl::string_view filename) {
  return Parser(text, filename).Parse();
}

LenientDotenv ParseDotenvLenient(const SecretValue& text) {
  LenientDotenv out;
  absl::StatusOr<DotenvMap> parsed = Parser(text.Expose(), "", &out.unparsable_lines).Parse();
  if (parsed.ok()) out.values = std::move(*parsed);  // it cannot fail in this mode
  return out;
}

}  // namespace dotenv
}  // namespace secretsync

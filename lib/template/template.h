// `.env.template` parsing and rendering: a dotenv file whose values may
// reference secrets as `${NAME}` or `${NAME | filter | ...}`.
//
// Template syntax (the template author's; the output quoting is the writer's):
//  - Lines are blank, `# comment`, or `[export ]KEY=value`; KEY must match
//    ^[A-Za-z_][A-Za-z0-9_]*$, with no space before `=`; duplicate keys are errors.
//  - A line whose value has no `$` is copied to the output byte for byte, so
//    compose reads it exactly as written (any compose quoting works there),
//    except that a double-quoted one may not spell `$` as an octal escape
//    (`"\044"`): compose would then interpolate it.
//  - A value with `$` is rendered. It may be written unquoted (leading and
//    trailing blanks dropped, a ` #` starts a comment), or inside '...' or "..."
//    that close on the same line (optionally followed by blanks and `# comment`).
//    Inside the value everything is literal except `$`: `$$` is one `$` and
//    `${NAME | f1 | f2}` is a reference (blanks around names and `|` allowed).
//    Any other `$` is an error, as is a backslash inside double quotes (escapes
//    are not supported in rendered values; use single quotes or none).
//    The rendered value is then written by the dotenv writer with whatever
//    quoting makes compose read back exactly the rendered bytes.
//  - CR (CRLF line endings), NUL and invalid UTF-8 are errors; a leading UTF-8
//    BOM is dropped.
#ifndef SECRETSYNC_LIB_TEMPLATE_TEMPLATE_H_
#define SECRETSYNC_LIB_TEMPLATE_TEMPLATE_H_

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"
#include "lib/dotenv/rendered_env.h"

// `template` is a keyword, hence `tmpl`.
namespace secretsync {
namespace tmpl {

// `${NAME | f1 | f2}` at 1-based `line`:`column` (the column of its `$`).
struct Reference {
  std::string name;
  std::vector<std::string> filters;  // applied left to right
  int line = 0;
  int column = 0;
};

// A piece of a rendered value: literal text or a reference.
struct Segment {
  bool is_reference = false;
  std::string literal;  // when !is_reference (`$$` already turned into `$`)
  Reference reference;  // when is_reference
};

// One line of the template.
struct TemplateLine {
  int line = 0;                 // 1-based
  std::string text;             // as written, without the '\n'
  std::string key;              // "" for blank and comment lines
  bool export_prefix = false;
  bool rendered = false;        // false: `text` is copied verbatim
  std::string verbatim_value;   // !rendered && key set: the value compose reads
  std::vector<Segment> segments;  // rendered: the value
};

// A parsed template. Holds no secrets. Immutable after parsing; thread-compatible.
class Template {
 public:
  const std::string& filename() const { return filename_; }
  const std::vector<TemplateLine>& lines() const { return lines_; }
  // The secret names referenced anywhere, sorted and unique.
  std::vector<std::string> ReferencedNames() const;

 private:
  friend absl::StatusOr<Template> ParseTemplate(absl::string_view text,
                                                absl::string_view filename);
  std::string filename_;
  std::vector<TemplateLine> lines_;
};

// Parses `text`; `filename` is used in messages only. Errors are
// InvalidArgument "template <filename>:<line>:<column>: <why>" naming the key,
// filter or character at fault (template text holds no secrets). Pure.
absl::StatusOr<Template> ParseTemplate(absl::string_view text, absl::string_view filename);

// Maps a secret name to its value, or nullptr when there is no such secret.
// The pointee must outlive the Render() call.
using SecretLookup = std::function<const SecretValue*(absl::string_view name)>;

// A lookup over a map the caller owns (and keeps alive while the lookup is used).
SecretLookup MapLookup(const std::map<std::string, SecretValue, std::less<>>& secrets);

// Renders `tmpl`, looking each referenced name up in `lookup` and applying the
// filters. Errors: NotFound when any referenced secret is missing, listing ALL
// of them in one message: "template .env.template:12:15 references unknown
// secret EMAIL_URL" (several: "...; .env.template:14:3 references unknown
// secret X"). Never includes values. Nothing is returned on error.
absl::StatusOr<dotenv::RenderedEnv> Render(const Template& tmpl, const SecretLookup& lookup);

}  // namespace tmpl
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_TEMPLATE_TEMPLATE_H_

// Reads an existing .env the way docker compose does (docs/dotenv.md), so sync
// can tell which names were added, changed or removed.
#ifndef SECRETSYNC_LIB_DOTENV_READER_H_
#define SECRETSYNC_LIB_DOTENV_READER_H_

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/secret_value.h"

namespace secretsync {
namespace dotenv {

// Name -> value as compose would see it. Values are secrets: not printable.
using DotenvMap = std::map<std::string, SecretValue, std::less<>>;

// Parses `text` with compose's rules: a leading BOM is dropped; blank lines and
// `#` lines are skipped; `export ` is optional; `KEY=value` or `KEY: value`;
// single quotes are literal (only `\'` is decoded); double quotes decode
// `\a \b \f \n \r \t \v \\ \" \$` and `\0ddd`; unquoted values are trimmed and
// end at ` #`; quoted values may span lines. Double-quoted and unquoted values
// are then interpolated: `$$` -> `$`; `$NAME`, `${NAME}` and `${NAME:-d}`,
// `-`, `:+`, `+`, `:?`, `?` look NAME up among the keys read so far in this
// file only (never the process environment), unset meaning "".
// Differences from compose, on purpose: a bare `KEY` (inherit from the
// environment) is skipped; a default is not itself interpolated.
// A key starting with a digit is dropped, as compose does; a repeated key: the
// last wins.
//
// Errors (InvalidArgument, "dotenv <filename>:<line>: <why>", naming the KEY
// where known, never a value): unterminated quote, text after a closing quote,
// invalid key, malformed `${`, `${NAME:?}` with NAME unset.
absl::StatusOr<DotenvMap> ParseDotenv(absl::string_view text, absl::string_view filename);

// What ParseDotenvLenient read: the variables it understood, and how many
// statements it skipped.
struct LenientDotenv {
  DotenvMap values;
  int unparsable_lines = 0;
};

// ParseDotenv for a file that may hold anything (e.g. an old cron script's
// .env with unquoted multi-line keys): every statement that does not parse,
// or whose key is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*), is
// skipped to the end of its line and counted. Never fails and never keeps
// any text of a skipped line, so a caller can report the count without
// echoing bytes of the file.
LenientDotenv ParseDotenvLenient(const SecretValue& text);

}  // namespace dotenv
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DOTENV_READER_H_

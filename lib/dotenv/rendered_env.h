// RenderedEnv: the lines of a .env to write, with their values, between the
// template renderer (which fills it) and the dotenv writer (which quotes it).
#ifndef SECRETSYNC_LIB_DOTENV_RENDERED_ENV_H_
#define SECRETSYNC_LIB_DOTENV_RENDERED_ENV_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "lib/base/secret_value.h"

namespace secretsync {
namespace dotenv {

// The rendered file: ordered lines, each a verbatim line or KEY + rendered value.
// Holds secrets: it has no operator<< and prints as "<RenderedEnv N lines>".
// Move-only; not thread-safe.
class RenderedEnv {
 public:
  struct Line {
    bool verbatim = false;
    std::string text;            // verbatim: the line without '\n'
    std::string key;             // entries, and verbatim KEY=... lines; else ""
    bool export_prefix = false;  // entries: write `export KEY=...`
    SecretValue value;           // the value compose reads for `key`
  };

  RenderedEnv() = default;
  RenderedEnv(RenderedEnv&&) = default;
  RenderedEnv& operator=(RenderedEnv&&) = default;

  // A line copied as is. `key`/`value`: what it defines, if anything (for Values()).
  void AddVerbatim(std::string text, std::string key, SecretValue value);
  // A KEY=value line the writer quotes.
  void AddEntry(std::string key, bool export_prefix, SecretValue value);

  const std::vector<Line>& lines() const { return lines_; }
  // Name -> value for every key (verbatim or rendered): what compose will read
  // from the written file. Pointers into this object.
  std::map<std::string, const SecretValue*, std::less<>> Values() const;

 private:
  std::vector<Line> lines_;
};

void PrintTo(const RenderedEnv& env, std::ostream* os);

}  // namespace dotenv
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_DOTENV_RENDERED_ENV_H_

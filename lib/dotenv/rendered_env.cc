// RenderedEnv's lines and the name -> value view.
#include "lib/dotenv/rendered_env.h"

#include <utility>

namespace secretsync {
namespace dotenv {

void RenderedEnv::AddVerbatim(std::string text, std::string key, SecretValue value) {
  Line line;
  line.verbatim = true;
  line.text = std::move(text);
  line.key = std::move(key);
  line.value = std::move(value);
  lines_.push_back(std::move(line));
}

void RenderedEnv::AddEntry(std::string key, bool export_prefix, SecretValue value) {
  Line line;
  line.key = std::move(key);
  line.export_prefix = export_prefix;
  line.value = std::move(value);
  lines_.push_back(std::move(line));
}

std::map<std::string, const SecretValue*, std::less<>> RenderedEnv::Values() const {
  std::map<std::string, const SecretValue*, std::less<>> out;
  for (const Line& line : lines_) {
    if (!line.key.empty()) out[line.key] = &line.value;
  }
  return out;
}

void PrintTo(const RenderedEnv& env, std::ostream* os) {
  *os << "<RenderedEnv " << env.lines().size() << " lines>";
}

}  // namespace dotenv
}  // namespace secretsync

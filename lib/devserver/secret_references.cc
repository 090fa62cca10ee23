// Reference scanning and iterative expansion (expandSecretReferencesFactory).
#include "lib/devserver/secret_references.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace devserver {
namespace {

bool IsReferenceChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Calls on_text(text) and on_ref(reference) for the pieces of `value`, in order.
template <typename OnText, typename OnRef>
void Scan(absl::string_view value, absl::string_view environment, absl::string_view path,
          OnText on_text, OnRef on_ref) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t start = value.find("${", pos);
    if (start == absl::string_view::npos) break;
    size_t end = start + 2;
    while (end < value.size() && IsReferenceChar(value[end])) ++end;
    if (end == start + 2 || end >= value.size() || value[end] != '}') {
      on_text(value.substr(pos, start + 2 - pos));
      pos = start + 2;
      continue;
    }
    on_text(value.substr(pos, start - pos));
    absl::string_view inner = value.substr(start + 2, end - start - 2);
    SecretReference ref;
    ref.text = std::string(value.substr(start, end + 1 - start));
    std::vector<std::string> parts = absl::StrSplit(inner, '.');
    if (parts.size() == 1) {
      ref.environment = std::string(environment);
      ref.path = std::string(path);
      ref.key = parts[0];
    } else {
      ref.environment = parts.front();
      ref.key = parts.back();
      std::vector<std::string> folders(parts.begin() + 1, parts.end() - 1);
      ref.path = absl::StrCat("/", absl::StrJoin(folders, "/"));
    }
    on_ref(ref);
    pos = end + 1;
  }
  if (pos < value.size()) on_text(value.substr(pos));
}

std::string Expand(absl::string_view value, absl::string_view environment, absl::string_view path,
                   const SecretLookup& lookup, int depth, std::set<std::string>& in_progress) {
  std::string out;
  Scan(
      value, environment, path,
      [&](absl::string_view text) { out.append(text.data(), text.size()); },
      [&](const SecretReference& ref) {
        std::string id = absl::StrCat(ref.environment, "\n", ref.path, "\n", ref.key);
        if (depth >= kMaxReferenceDepth || in_progress.count(id) > 0) {
          out += ref.text;
          return;
        }
        std::optional<std::string> target = lookup(ref.environment, ref.path, ref.key);
        if (!target.has_value() || target->empty()) {
          out += ref.text;
          return;
        }
        in_progress.insert(id);
        out += Expand(*target, ref.environment, ref.path, lookup, depth + 1, in_progress);
        in_progress.erase(id);
      });
  return out;
}

}  // namespace

std::vector<SecretReference> FindReferences(absl::string_view value, absl::string_view environment,
                                            absl::string_view path) {
  std::vector<SecretReference> refs;
  Scan(
      value, environment, path, [](absl::string_view) {},
      [&](const SecretReference& ref) { refs.push_back(ref); });
  return refs;
}

std::string ExpandReferences(absl::string_view value, absl::string_view environment,
                             absl::string_view path, const SecretLookup& lookup) {
  std::set<std::string> in_progress;
  return Expand(value, environment, path, lookup, 0, in_progress);
}

}  // namespace devserver
}  // namespace secretsync

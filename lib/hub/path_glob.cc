// Segment-wise glob matching for route secret paths.
#include "lib/hub/path_glob.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace secretsync {
namespace hub {
namespace {

constexpr size_t kMaxSegments = 64;

std::vector<absl::string_view> Segments(absl::string_view path) {
  return absl::StrSplit(path, '/', absl::SkipEmpty());
}

// '*' and '?' within one segment (iterative, with one backtrack point).
bool MatchSegment(absl::string_view pat, absl::string_view s) {
  size_t p = 0, i = 0, star = absl::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// Segments g[gi..] against s[si..]; "**" tries every split (globs are short).
bool MatchFrom(const std::vector<absl::string_view>& g, size_t gi,
               const std::vector<absl::string_view>& s, size_t si) {
  if (gi == g.size()) return si == s.size();
  if (g[gi] == "**") {
    for (size_t k = si; k <= s.size(); ++k) {
      if (MatchFrom(g, gi + 1, s, k)) return true;
    }
    return false;
  }
  return si < s.size() && MatchSegment(g[gi], s[si]) && MatchFrom(g, gi + 1, s, si + 1);
}

}  // namespace

std::string NormalizeSecretPath(absl::string_view path) {
  return absl::StrCat("/", absl::StrJoin(Segments(path), "/"));
}

absl::Status CheckPathGlob(absl::string_view glob) {
  if (glob.empty() || glob[0] != '/') {
    return absl::InvalidArgumentError("secret_path: a glob must start with '/'");
  }
  for (absl::string_view seg : Segments(glob)) {
    if (seg != "**" && seg.find("**") != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "secret_path: '**' must be a whole segment, as in /apps/**");
    }
  }
  return absl::OkStatus();
}

bool MatchPathGlob(absl::string_view glob, absl::string_view path) {
  std::vector<absl::string_view> s = Segments(path);
  // Bounds the "**" search on hostile input; real folder paths are shallow.
  if (s.size() > kMaxSegments) return false;
  return MatchFrom(Segments(glob), 0, s, 0);
}

}  // namespace hub
}  // namespace secretsync

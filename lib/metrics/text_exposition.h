// Prometheus's text exposition format (version 0.0.4), written by hand for
// the one-shot tools' metrics files. prometheus-cpp renders the same text,
// but Debian ships it only as a shared library, which needs the shared
// libstdc++, and that one cost every sync ~2 ms of a 28 ms run: the tools now
// link libstdc++ in (bazel/static_libstdcxx, docs/benchmarks.md). The
// daemons' /metrics endpoints still use prometheus-cpp.
#ifndef SECRETSYNC_LIB_METRICS_TEXT_EXPOSITION_H_
#define SECRETSYNC_LIB_METRICS_TEXT_EXPOSITION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace secretsync {
namespace metrics {

using Labels = std::map<std::string, std::string>;

// Families in the order they were first added; within a family, series
// sorted by their labels, which are sorted by name.
class TextExposition {
 public:
  enum class Type { kCounter, kGauge };

  // A counter series adds `value` when it is positive (like a Prometheus
  // counter's Increment) and exists at 0 otherwise; a gauge series is set.
  // A family's help and type are those of its first Add.
  void Add(absl::string_view family, Type type, absl::string_view help, const Labels& labels,
           double value);

  // "# HELP", "# TYPE" and one line per series, for each family.
  std::string Text() const;

 private:
  struct Family {
    std::string name;
    Type type;
    std::string help;
    std::map<Labels, double> series;
  };
  std::vector<Family> families_;
};

}  // namespace metrics
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_METRICS_TEXT_EXPOSITION_H_

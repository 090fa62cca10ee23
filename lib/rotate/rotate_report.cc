// PrintRotateReport; see rotate_report.h.
#include "lib/rotate/rotate_report.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace secretsync {
namespace rotate {

void PrintRotateReport(const v1::RotateReport& report, const v1::SyncReport& last_sync, bool json,
                       bool ok, std::ostream& out) {
  if (json) {
    std::string text;
    google::protobuf::util::JsonPrintOptions jo;
    jo.always_print_primitive_fields = true;
    jo.preserve_proto_field_names = true;
    if (google::protobuf::util::MessageToJsonString(report, &text, jo).ok()) out << text << "\n";
    return;
  }
  for (const v1::RotateReport::Secret& r : report.secrets()) {
    out << "rotate: " << r.name() << " (" << r.kind() << "): " << r.outcome() << "\n";
  }
  if (report.synced()) {
    out << "rotate: synced " << last_sync.output_path() << ": changed "
        << (last_sync.changed().empty() ? "-" : absl::StrJoin(last_sync.changed(), ",")) << "\n";
    if (last_sync.command().ran()) {
      out << "rotate: on-change command exited " << last_sync.command().exit_code() << "\n";
    }
  }
  const v1::HealthReport& h = report.health();
  if (h.outcome() != v1::HEALTH_NOT_CHECKED) {
    out << "rotate: health check " << h.check() << ": " << v1::HealthOutcome_Name(h.outcome())
        << (h.detail().empty() ? "" : absl::StrCat(" (", h.detail(), ")"))
        << (h.healthy_after_rollback() ? "; healthy again after the rollback" : "") << "\n";
  }
  if (ok && report.secrets().empty()) out << "rotate: nothing to do\n";
}

}  // namespace rotate
}  // namespace secretsync

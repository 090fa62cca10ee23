// How rotate prints its report: one JSON object (--json) or one line per
// secret, the sync, the on-change command and the health check. Names,
// outcomes and reasons only, never a value.
#ifndef SECRETSYNC_LIB_ROTATE_ROTATE_REPORT_H_
#define SECRETSYNC_LIB_ROTATE_ROTATE_REPORT_H_

#include <ostream>

#include "proto/report.pb.h"
#include "proto/rotation.pb.h"

namespace secretsync {
namespace rotate {

// Prints `report` on `out`. `last_sync` is the run's last in-process sync
// (its path, changed names and command, printed when report.synced()); `ok`
// whether the run succeeded (an empty successful run says "nothing to do").
void PrintRotateReport(const v1::RotateReport& report, const v1::SyncReport& last_sync, bool json,
                       bool ok, std::ostream& out);

}  // namespace rotate
}  // namespace secretsync

#endif  // SECRETSYNC_LIB_ROTATE_ROTATE_REPORT_H_

// Tests of the metrics file: rendering, the merge with the previous file,
// the atomic write and the warning that never fails a run.
#include "lib/metrics/metrics_file.h"

#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/filesystem.h"
#include "lib/testing/fake_filesystem.h"
#include "lib/testing/status_matchers.h"

namespace secretsync {
namespace metrics {
namespace {

using ::secretsync::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;

RunMetrics SyncRun(int exit_code) {
  RunMetrics m;
  m.tool = "sync";
  m.deployment = "glitchtip";
  m.Add(kLastExitCode, exit_code);
  if (exit_code == 0) m.Add(kLastSuccessTimestamp, 1000 + exit_code);
  m.Add(kRunsTotal, 1, {{"result", exit_code == 0 ? "success" : "failure"}});
  m.Add(kInfisicalRequests, 2, {{"method", "GET"}, {"status_class", "2xx"}});
  m.Add(kRotationPending, 0, {{"secret", "SECRET_KEY"}});
  return m;
}

// The value of the one line starting with `series` followed by a space.
std::string ValueOf(const std::string& text, const std::string& series) {
  for (const Sample& s : ParseMetricsText(text)) {
    std::string key = s.name + "{";
    bool first = true;
    for (const auto& [k, v] : s.labels) {
      key += (first ? "" : ",") + k + "=\"" + v + "\"";
      first = false;
    }
    key += "}";
    if (key == series) {
      std::ostringstream out;
      out << s.value;
      return out.str();
    }
  }
  return "<absent>";
}

TEST(MetricsFileTest, RendersTypedFamiliesWithDeploymentAndToolLabels) {
  const std::string text = RenderMetrics("", SyncRun(0));
  EXPECT_THAT(text, HasSubstr("# TYPE secretsync_runs_total counter"));
  EXPECT_THAT(text, HasSubstr("# TYPE secretsync_last_exit_code gauge"));
  EXPECT_THAT(text, HasSubstr(
                        "secretsync_last_exit_code{deployment=\"glitchtip\",tool=\"sync\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("secretsync_rotation_pending{deployment=\"glitchtip\",secret=\"SECRET_"
                              "KEY\",tool=\"sync\"} 0\n"));
}

TEST(MetricsFileTest, CountersAddUpAcrossRunsAndGaugesAreReplaced) {
  std::string text = RenderMetrics("", SyncRun(0));
  text = RenderMetrics(text, SyncRun(0));
  text = RenderMetrics(text, SyncRun(75));
  const std::string sel = "deployment=\"glitchtip\",";
  EXPECT_EQ(ValueOf(text, "secretsync_runs_total{" + sel + "result=\"success\",tool=\"sync\"}"),
            "2");
  EXPECT_EQ(ValueOf(text, "secretsync_runs_total{" + sel + "result=\"failure\",tool=\"sync\"}"),
            "1");
  EXPECT_EQ(ValueOf(text, "secretsync_infisical_requests_total{" + sel +
                              "method=\"GET\",status_class=\"2xx\",tool=\"sync\"}"),
            "6");
  EXPECT_EQ(ValueOf(text, "secretsync_last_exit_code{" + sel + "tool=\"sync\"}"), "75");
}

TEST(MetricsFileTest, FailedRunKeepsThePreviousLastSuccess) {
  const std::string ok = RenderMetrics("", SyncRun(0));
  const std::string failed = RenderMetrics(ok, SyncRun(69));
  EXPECT_EQ(ValueOf(failed, "secretsync_last_success_timestamp_seconds{deployment=\"glitchtip\","
                            "tool=\"sync\"}"),
            "1000");
  // A failure with no earlier success has no last-success series at all.
  EXPECT_THAT(RenderMetrics("", SyncRun(69)), Not(HasSubstr("last_success")));
}

TEST(MetricsFileTest, KeepsOtherToolsAndDeploymentsSeriesAsTheyWere) {
  RunMetrics rotate = SyncRun(0);
  rotate.tool = "rotate";
  RunMetrics other = SyncRun(0);
  other.deployment = "other";
  std::string text = RenderMetrics("", rotate);
  text = RenderMetrics(text, other);
  text = RenderMetrics(text, SyncRun(5));
  EXPECT_EQ(ValueOf(text, "secretsync_last_exit_code{deployment=\"glitchtip\",tool=\"rotate\"}"), "0");
  EXPECT_EQ(ValueOf(text, "secretsync_last_exit_code{deployment=\"other\",tool=\"sync\"}"), "0");
  EXPECT_EQ(ValueOf(text, "secretsync_last_exit_code{deployment=\"glitchtip\",tool=\"sync\"}"), "5");
  EXPECT_EQ(ValueOf(text, "secretsync_runs_total{deployment=\"glitchtip\",result=\"success\","
                          "tool=\"rotate\"}"),
            "1");
}

TEST(MetricsFileTest, ForeignOrGarbledPreviousTextStartsFromZero) {
  for (const char* previous :
       {"garbage {{{ \"\n", "node_cpu_seconds_total{cpu=\"0\"} 12\n",
        "secretsync_runs_total{deployment=\"glitchtip\",result=\"success\",tool=\"sync\" 7\n",
        "secretsync_runs_total{deployment=\"glitchtip\",result=\"success\",tool=\"sync\"} x\n"}) {
    const std::string text = RenderMetrics(previous, SyncRun(0));
    EXPECT_EQ(ValueOf(text, "secretsync_runs_total{deployment=\"glitchtip\",result=\"success\","
                            "tool=\"sync\"}"),
              "1")
        << previous;
    EXPECT_THAT(text, Not(HasSubstr("node_cpu"))) << previous;
  }
}

TEST(MetricsFileTest, ParsesEscapedLabelValues) {
  RunMetrics m = SyncRun(0);
  m.deployment = "a\"b\\c\nd";
  const std::string once = RenderMetrics("", m);
  const std::string twice = RenderMetrics(once, m);
  EXPECT_THAT(twice, HasSubstr("result=\"success\",tool=\"sync\"} 2\n"));
}

TEST(MetricsFileTest, DeploymentLabelIsTheConfigBasenameWithoutExtension) {
  EXPECT_EQ(DeploymentLabel("/etc/secretsync/glitchtip.textproto"), "glitchtip");
  EXPECT_EQ(DeploymentLabel("app.v2.textproto"), "app.v2");
  EXPECT_EQ(DeploymentLabel("/etc/noext"), "noext");
  EXPECT_EQ(DeploymentLabel("/etc/.hidden"), ".hidden");
}

class MetricsFileWriteTest : public ::testing::Test {
 protected:
  std::string dir_ = std::string(getenv("TEST_TMPDIR"));
  RealFilesystem real_;
  FakeFilesystem fs_{real_};
};

TEST_F(MetricsFileWriteTest, WritesAtomicallyWithMode0644AndMerges) {
  const std::string path = dir_ + "/merge.prom";
  ASSERT_THAT(WriteMetricsFile(fs_, path, SyncRun(0)), IsOk());
  ASSERT_THAT(WriteMetricsFile(fs_, path, SyncRun(0)), IsOk());
  absl::StatusOr<FileInfo> info = real_.Stat(path);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->mode & 0777, 0644u);
  absl::StatusOr<std::string> text = real_.ReadFile(path, 1 << 20);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(ValueOf(*text, "secretsync_runs_total{deployment=\"glitchtip\",result=\"success\","
                           "tool=\"sync\"}"),
            "2");
  EXPECT_THAT(fs_.op_names(), ::testing::Contains("rename"));
}

TEST_F(MetricsFileWriteTest, FailedRenameLeavesTheOldFileAndOnlyWarns) {
  const std::string path = dir_ + "/kept.prom";
  ASSERT_THAT(WriteMetricsFile(fs_, path, SyncRun(0)), IsOk());
  const std::string before = *real_.ReadFile(path, 1 << 20);
  fs_.FailOp("rename", absl::PermissionDeniedError("rename: permission denied"), 2);
  std::ostringstream err;
  WriteMetricsFileOrWarn(fs_, path, SyncRun(75), err);
  EXPECT_EQ(err.str(), "sync: warning: metrics file " + path +
                           " not written: rename: permission denied\n");
  EXPECT_EQ(*real_.ReadFile(path, 1 << 20), before);
}

TEST_F(MetricsFileWriteTest, MissingFolderIsAWarningNamingThePath) {
  const std::string path = dir_ + "/no-such-folder/x.prom";
  std::ostringstream err;
  WriteMetricsFileOrWarn(real_, path, SyncRun(0), err);
  EXPECT_THAT(err.str(), HasSubstr("sync: warning: metrics file " + path + " not written: "));
  std::ostringstream none;
  WriteMetricsFileOrWarn(real_, "", SyncRun(0), none);
  EXPECT_EQ(none.str(), "");
}

}  // namespace
}  // namespace metrics
}  // namespace secretsync

#include "lib/metrics/text_exposition.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace secretsync {
namespace metrics {
namespace {

using Type = TextExposition::Type;

TEST(TextExpositionTest, FamiliesInFirstUseOrderWithHelpTypeAndSortedSeries) {
  TextExposition out;
  out.Add("b_total", Type::kCounter, "Bees.", {{"z", "1"}, {"a", "2"}}, 3);
  out.Add("a", Type::kGauge, "A gauge.", {}, 1.5);
  out.Add("b_total", Type::kCounter, "ignored", {{"a", "1"}}, 1);
  EXPECT_EQ(out.Text(),
            "# HELP b_total Bees.\n"
            "# TYPE b_total counter\n"
            "b_total{a=\"1\"} 1\n"
            "b_total{a=\"2\",z=\"1\"} 3\n"
            "# HELP a A gauge.\n"
            "# TYPE a gauge\n"
            "a 1.5\n");
}

TEST(TextExpositionTest, CountersAddPositiveValuesAndGaugesAreSet) {
  TextExposition out;
  out.Add("c_total", Type::kCounter, "", {{"k", "v"}}, 2);
  out.Add("c_total", Type::kCounter, "", {{"k", "v"}}, 3);
  out.Add("c_total", Type::kCounter, "", {{"k", "v"}}, -7);  // ignored, as Increment does
  out.Add("c_total", Type::kCounter, "", {{"k", "w"}}, 0);   // exists at 0
  out.Add("g", Type::kGauge, "", {}, 2);
  out.Add("g", Type::kGauge, "", {}, -1);
  EXPECT_THAT(out.Text(), ::testing::HasSubstr("c_total{k=\"v\"} 5\nc_total{k=\"w\"} 0\n"));
  EXPECT_THAT(out.Text(), ::testing::HasSubstr("\ng -1\n"));
}

TEST(TextExpositionTest, EscapesLabelValuesAndHelp) {
  TextExposition out;
  out.Add("m", Type::kGauge, "back\\slash\nand \"quotes\"", {{"path", "a\\b\"c\nd"}}, 1);
  EXPECT_EQ(out.Text(),
            "# HELP m back\\\\slash\\nand \"quotes\"\n"
            "# TYPE m gauge\n"
            "m{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(TextExpositionTest, ValuesKeepTheirPrecisionAndSpecialValuesAreSpelledAsPrometheusReadsThem) {
  TextExposition out;
  out.Add("t", Type::kGauge, "", {{"i", "1"}}, 1764979200);
  out.Add("t", Type::kGauge, "", {{"i", "2"}}, 0.000123);
  out.Add("t", Type::kGauge, "", {{"i", "3"}}, std::numeric_limits<double>::quiet_NaN());
  out.Add("t", Type::kGauge, "", {{"i", "4"}}, std::numeric_limits<double>::infinity());
  out.Add("t", Type::kGauge, "", {{"i", "5"}}, -std::numeric_limits<double>::infinity());
  out.Add("t", Type::kGauge, "", {{"i", "6"}}, 1764979200.125);
  EXPECT_EQ(out.Text(),
            "# HELP t \n# TYPE t gauge\n"
            "t{i=\"1\"} 1764979200\n"
            "t{i=\"2\"} 0.000123\n"
            "t{i=\"3\"} NaN\n"
            "t{i=\"4\"} +Inf\n"
            "t{i=\"5\"} -Inf\n"
            "t{i=\"6\"} 1764979200.125\n");
}

}  // namespace
}  // namespace metrics
}  // namespace secretsync

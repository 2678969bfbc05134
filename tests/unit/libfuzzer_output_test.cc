// Golden tests of the one writer of libFuzzer's status line and stat:: block
// (runtime/engine/libfuzzer_output.h): every such line captured from real libFuzzer 14
// (tests/unit/testdata/libfuzzer14_status_lines.txt) is parsed into a snapshot and must come
// out of the formatter byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "runtime/engine/libfuzzer_output.h"

namespace fuzzer {
namespace {

std::vector<std::string> GoldenLines() {
  std::ifstream in("tests/unit/testdata/libfuzzer14_status_lines.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# ", 0) != 0) lines.push_back(line);
  return lines;
}

// "12b", "1Kb", "3Mb" back to the byte count FormatSize printed them from.
size_t ParseSize(const std::string& text) {
  const size_t value = std::stoul(text);
  if (text.back() == 'b' && text[text.size() - 2] == 'K') return value << 10;
  if (text.back() == 'b' && text[text.size() - 2] == 'M') return value << 20;
  return value;
}

TEST(LibFuzzerOutput, StatusLinesMatchRealLibFuzzer14) {
  const std::regex status(
      R"(#(\d+)\t(.{6})(?: cov: (\d+))?(?: ft: (\d+))?(?: corp: (\d+)/(\d+[KM]?b))?)"
      R"((?: focus: (\d+))?(?: lim: (\d+))? exec/s: (\d+) rss: (\d+)Mb(.*))");
  size_t checked = 0;
  for (const std::string& line : GoldenLines()) {
    if (line[0] != '#') continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, status)) << line;
    StatusSnapshot snapshot;
    snapshot.runs = std::stoull(m[1]);
    if (m[3].matched) snapshot.covered_edges = std::stoul(m[3]);
    if (m[4].matched) snapshot.features = std::stoul(m[4]);
    snapshot.show_corpus = m[5].matched;
    if (m[5].matched) {
      snapshot.corpus_units = std::stoul(m[5]);
      snapshot.corpus_bytes = ParseSize(m[6]);
    }
    if (m[7].matched) snapshot.inputs_touching_focus = std::stoul(m[7]);
    snapshot.show_length_limit = m[8].matched;
    if (m[8].matched) snapshot.length_limit = std::stoul(m[8]);
    snapshot.execs_per_second = std::stoul(m[9]);
    snapshot.peak_rss_mb = std::stoul(m[10]);
    EXPECT_EQ(FormatStatusLine(m[2].str().c_str(), snapshot, m[11].str().c_str()), line);
    checked++;
  }
  EXPECT_GT(checked, 100u);
}

TEST(LibFuzzerOutput, FinalStatsMatchRealLibFuzzer14) {
  const std::vector<std::string> lines = GoldenLines();
  size_t blocks = 0;
  for (size_t i = 0; i + 5 <= lines.size(); i++) {
    if (lines[i].rfind("stat::number_of_executed_units:", 0) != 0) continue;
    std::string expected;
    std::vector<size_t> values;
    for (size_t k = 0; k < 5; k++) {
      expected += lines[i + k] + "\n";
      values.push_back(std::stoul(lines[i + k].substr(lines[i + k].rfind(' ') + 1)));
    }
    FinalStats stats;
    stats.runs = values[0];
    stats.execs_per_second = values[1];
    stats.new_units_added = values[2];
    stats.slowest_unit_seconds = values[3];
    stats.peak_rss_mb = values[4];
    char text[kFinalStatsBufferSize];
    FormatFinalStats(stats, text, sizeof(text));
    EXPECT_EQ(std::string(text), expected);
    blocks++;
  }
  EXPECT_GE(blocks, 4u);
}

TEST(LibFuzzerOutput, ShoalsCrashLinesComeOnlyWhenAsked) {
  FinalStats stats;
  stats.runs = 10;
  char text[kFinalStatsBufferSize];
  FormatFinalStats(stats, text, sizeof(text));
  EXPECT_EQ(std::string(text).find("crashes"), std::string::npos);
  stats.show_crashes = true;
  stats.crashes = 3;
  stats.unique_crashes = 2;
  FormatFinalStats(stats, text, sizeof(text));
  EXPECT_NE(std::string(text).find("stat::crashes:                  3\nstat::unique_crashes:           2\n"),
            std::string::npos);
  // A small buffer is cut, never overrun.
  char small[16];
  EXPECT_EQ(FormatFinalStats(stats, small, sizeof(small)), sizeof(small) - 1);
}

}  // namespace
}  // namespace fuzzer

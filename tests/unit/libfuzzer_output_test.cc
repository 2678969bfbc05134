// Golden tests of the one writer of libFuzzer's lines (runtime/engine/libfuzzer_output.h):
// every status line and stat:: block captured from real libFuzzer 14
// (tests/unit/testdata/libfuzzer14_status_lines.txt) is parsed into a snapshot and must come
// out of the formatter byte for byte, and so must every failure and end banner and artifact
// block (testdata/libfuzzer14_banner_lines.txt) from its writer. Also the pulse rule
// (PulseTracker) and the recommended-dictionary block.
#include "runtime/engine/libfuzzer_output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "runtime/common/log.h"

namespace fuzzer {
namespace {

std::vector<std::string> GoldenLines(
    const char* path = "tests/unit/testdata/libfuzzer14_status_lines.txt") {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# ", 0) != 0) lines.push_back(line);
  return lines;
}

// What `print` writes to Shoal's output (log.h), captured through a temporary file.
std::string Captured(const std::function<void()>& print) {
  FILE* file = tmpfile();
  if (!file) return "<no tmpfile>";
  const int previous = OutputFd();
  SetOutputFd(fileno(file));
  print();
  SetOutputFd(previous);
  std::string text;
  char buffer[4096];
  for (ssize_t n, offset = 0; (n = pread(fileno(file), buffer, sizeof(buffer), offset)) > 0;
       offset += n)
    text.append(buffer, size_t(n));
  fclose(file);
  return text;
}

// The event whose 6-character name libFuzzer printed.
StatusEvent EventNamed(const std::string& name) {
  for (StatusEvent event : {StatusEvent::kInited, StatusEvent::kNew, StatusEvent::kReduce,
                            StatusEvent::kPulse, StatusEvent::kReload, StatusEvent::kDone})
    if (name == StatusEventName(event)) return event;
  ADD_FAILURE() << "no event is named '" << name << "'";
  return StatusEvent::kDone;
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
  const std::regex unit_tail(R"( L: (\d+)/(\d+) (MS: .*))");
  size_t checked = 0, units = 0;
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
    // A NEW or REDUCE line ends in " L: size/max MS: ...", from UnitLineEnd.
    std::smatch unit;
    const std::string tail = m[11].str();
    std::string end = tail + "\n";
    if (std::regex_match(tail, unit, unit_tail)) {
      end = UnitLineEnd(std::stoul(unit[1]), std::stoul(unit[2]), unit[3]);
      units++;
    }
    EXPECT_EQ(FormatStatusLine(EventNamed(m[2]), snapshot, end.c_str()), line + "\n");
    checked++;
  }
  EXPECT_GT(checked, 100u);
  EXPECT_GT(units, 100u);
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
  EXPECT_NE(std::string(text).find(
                "stat::crashes:                  3\nstat::unique_crashes:           2\n"),
            std::string::npos);
  // A small buffer is cut, never overrun.
  char small[16];
  EXPECT_EQ(FormatFinalStats(stats, small, sizeof(small)), sizeof(small) - 1);
}

TEST(LibFuzzerOutput, EventNamesAreLibFuzzers) {
  EXPECT_STREQ(StatusEventName(StatusEvent::kInited), "INITED");
  EXPECT_STREQ(StatusEventName(StatusEvent::kNew), "NEW   ");
  EXPECT_STREQ(StatusEventName(StatusEvent::kReduce), "REDUCE");
  EXPECT_STREQ(StatusEventName(StatusEvent::kPulse), "pulse ");
  EXPECT_STREQ(StatusEventName(StatusEvent::kReload), "RELOAD");
  EXPECT_STREQ(StatusEventName(StatusEvent::kDone), "DONE  ");
}

// Every banner line and artifact block of the captures comes out of its writer byte for byte.
TEST(LibFuzzerOutput, BannersMatchRealLibFuzzer14) {
  const std::vector<std::string> lines =
      GoldenLines("tests/unit/testdata/libfuzzer14_banner_lines.txt");
  const std::regex alarm(R"(ALARM: working on the last Unit for (\d+) seconds)");
  const std::regex alarm_value(R"( +and the timeout value is (\d+) .*)");
  const std::regex timeout(R"(==(\d+)== ERROR: libFuzzer: timeout after (\d+) seconds)");
  const std::regex rss(
      R"(==(\d+)== ERROR: libFuzzer: out-of-memory \(used: (\d+)Mb; limit: (\d+)Mb\))");
  const std::regex malloc_limit(R"(==(\d+)== ERROR: libFuzzer: out-of-memory \(malloc\((\d+)\)\))");
  const std::regex error(R"(==(\d+)== ERROR: libFuzzer: (.*))");
  const std::regex summary(R"(SUMMARY: libFuzzer: (.*))");
  const std::regex done(R"(Done (\d+) runs in (\d+) second\(s\))");
  const std::regex unit(R"((MS: .*); base unit: ([0-9a-f]{40}))");
  const std::regex hex_byte(R"(0x([0-9a-f]+),)");
  const std::regex artifact(R"(artifact_prefix='(.*)'; Test unit written to (.*))");
  const std::regex base64(R"(Base64: .*)");
  std::vector<uint8_t> data;  // the unit of the last artifact block
  size_t checked = 0;
  for (size_t i = 0; i < lines.size(); i++) {
    std::smatch m, v;
    std::string expected = lines[i] + "\n", actual;
    if (std::regex_match(lines[i], m, alarm)) {
      ASSERT_LT(i + 1, lines.size());
      ASSERT_TRUE(std::regex_match(lines[i + 1], v, alarm_value)) << lines[i + 1];
      expected += lines[++i] + "\n";
      actual = Captured([&] { PrintTimeoutAlarm(std::stoul(m[1]), std::stoul(v[1])); });
    } else if (std::regex_match(lines[i], m, timeout)) {
      actual = Captured([&] { PrintTimeoutBanner(std::stoi(m[1]), std::stoul(m[2])); });
    } else if (std::regex_match(lines[i], m, rss)) {
      ASSERT_LT(i + 2, lines.size());
      expected += lines[i + 1] + "\n" + lines[i + 2] + "\n";  // the hint, and an empty line
      i += 2;
      actual = Captured(
          [&] { PrintRssLimitBanner(std::stoi(m[1]), std::stoul(m[2]), std::stoul(m[3])); });
    } else if (std::regex_match(lines[i], m, malloc_limit)) {
      ASSERT_LT(i + 2, lines.size());
      expected += lines[i + 1] + "\n" + lines[i + 2] + "\n";
      i += 2;
      actual = Captured([&] { PrintMallocLimitBanner(std::stoi(m[1]), std::stoul(m[2])); });
    } else if (std::regex_match(lines[i], m, error)) {
      actual = Captured([&] { PrintErrorBanner(std::stoi(m[1]), m[2].str().c_str()); });
    } else if (std::regex_match(lines[i], m, summary)) {
      actual = Captured([&] { PrintSummaryLine(m[1].str().c_str()); });
    } else if (std::regex_match(lines[i], m, unit)) {
      // The MS: line, then the unit's bytes in hex (which give the unit) and escaped ASCII.
      ASSERT_LT(i + 2, lines.size());
      data.clear();
      for (std::sregex_iterator it(lines[i + 1].begin(), lines[i + 1].end(), hex_byte), end;
           it != end; ++it)
        data.push_back(uint8_t(std::stoul((*it)[1], nullptr, 16)));
      expected += lines[i + 1] + "\n" + lines[i + 2] + "\n";
      i += 2;
      actual = Captured([&] { PrintUnitLines(m[1], m[2], data.data(), data.size()); });
    } else if (std::regex_match(lines[i], m, artifact)) {
      actual = Captured([&] { PrintArtifactWritten(m[1], m[2]); });
    } else if (std::regex_match(lines[i], base64)) {
      actual = Captured([&] { PrintBase64Line(data.data(), data.size()); });
    } else if (std::regex_match(lines[i], m, done)) {
      actual = Captured([&] { PrintDoneLine(std::stoull(m[1]), std::stoul(m[2])); });
    } else {
      ADD_FAILURE() << "no writer for the line '" << lines[i] << "'";
      continue;
    }
    EXPECT_EQ(actual, expected);
    checked++;
  }
  EXPECT_GE(checked, 35u);
}

// Lines no capture holds (signals, an uninstrumented target): the texts of
// shared/reference/libfuzzer-14.md, which checked them against the 14.0.6 binary's strings.
TEST(LibFuzzerOutput, SignalAndNoCoverageLinesAreLibFuzzers) {
  EXPECT_EQ(Captured([] { PrintRunInterrupted(4242); }),
            "==4242== libFuzzer: run interrupted; exiting\n");
  EXPECT_EQ(Captured([] { PrintGracefulExitRequested(); }),
            "INFO: signal received, trying to exit gracefully\n");
  EXPECT_EQ(Captured([] { PrintExitingAsRequested(4242); }),
            "==4242== INFO: libFuzzer: exiting as requested\n");
  EXPECT_EQ(Captured([] { PrintNoInterestingInputs(); }),
            "ERROR: no interesting inputs were found. Is the code instrumented for coverage? "
            "Exiting.\n");
}

std::vector<uint64_t> PulsesOver(PulseTracker* tracker, const std::vector<uint64_t>& counts,
                                 double seconds = 5) {
  std::vector<uint64_t> pulses;
  for (uint64_t runs : counts)
    if (tracker->Due(runs, [&] { return seconds; })) pulses.push_back(runs);
  return pulses;
}

TEST(PulseTracker, EveryRunCountsPulseAtPowersOfTwoOnly) {
  PulseTracker tracker(PulseTracker::Counts::kEveryRun, 2);
  std::vector<uint64_t> counts;
  for (uint64_t runs = 1; runs <= 70; runs++) counts.push_back(runs);
  EXPECT_EQ(PulsesOver(&tracker, counts), (std::vector<uint64_t>{1, 2, 4, 8, 16, 32, 64}));
  // A power of two the caller did not look at (the stage's runs) gets no line, as in libFuzzer.
  PulseTracker skipping(PulseTracker::Counts::kEveryRun, 2);
  EXPECT_EQ(PulsesOver(&skipping, {100, 127, 129, 256}), (std::vector<uint64_t>{256}));
}

TEST(PulseTracker, CountsInStepsPulseOncePerPowerOfTwoCrossed) {
  PulseTracker tracker(PulseTracker::Counts::kInSteps, 0);
  // 3 crosses 1 and 2: one line; 5 crosses 4; 7 crosses nothing; 1000 crosses 8..512: one line.
  EXPECT_EQ(PulsesOver(&tracker, {3, 5, 7, 1000, 1000, 1024}),
            (std::vector<uint64_t>{3, 5, 1000, 1024}));
  // The doubling stops before it overflows, whatever the count.
  EXPECT_TRUE(tracker.Due(UINT64_MAX, [] { return 0.0; }));
  EXPECT_FALSE(tracker.Due(UINT64_MAX, [] { return 0.0; }));
}

TEST(PulseTracker, PowersOfTwoBeforeMinSecondsAreUsedUpSilently) {
  PulseTracker tracker(PulseTracker::Counts::kInSteps, 2);
  EXPECT_TRUE(PulsesOver(&tracker, {1, 4, 100}, /*seconds=*/1.5).empty());
  // 100 crossed 64 already: nothing more until 128.
  EXPECT_TRUE(PulsesOver(&tracker, {120}, 3).empty());
  EXPECT_EQ(PulsesOver(&tracker, {130}, 3), (std::vector<uint64_t>{130}));
  // The clock is only read at a power of two.
  int reads = 0;
  PulseTracker every_run(PulseTracker::Counts::kEveryRun, 2);
  for (uint64_t runs = 3; runs < 8; runs++) every_run.Due(runs, [&] { return double(++reads); });
  EXPECT_EQ(reads, 1);  // at 4
}

DictionaryEntry Entry(const std::string& bytes, size_t uses) {
  DictionaryEntry entry;
  entry.word = Word(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  entry.use_count = uses;
  return entry;
}

TEST(RecommendedDictionary, IsLibFuzzersBlockInTheGivenOrderWithoutTheDictWords) {
  // Captured from libFuzzer 14 (shared/reference/libfuzzer-14-outputs/out_nocrash.txt).
  Dictionary manual;
  manual.Push(Entry("given", 0));
  EXPECT_EQ(FormatRecommendedDictionary(
                {Entry("DEADBEEF", 11583), Entry("given", 7), Entry("xV4\x12", 12530)}, manual),
            "###### Recommended dictionary. ######\n"
            "\"DEADBEEF\" # Uses: 11583\n"
            "\"xV4\\022\" # Uses: 12530\n"
            "###### End of recommended dictionary. ######\n");
  // Nothing left to recommend: no block at all, as in libFuzzer.
  EXPECT_EQ(FormatRecommendedDictionary({Entry("given", 7)}, manual), "");
  EXPECT_EQ(FormatRecommendedDictionary({}, manual), "");
}

}  // namespace
}  // namespace fuzzer

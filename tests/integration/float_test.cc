// Integration tests (Shoal only; libFuzzer 14 finds none of these, see docs/benchmarks.md):
// floating-point compares that trace-cmp never sees. Each planted bug -- a double equal to a
// constant (little- and big-endian), a float equal to a constant, and a strtod() result
// equal to a constant -- must be found with a fixed -seed within a bounded -runs budget
// through the Float* mutators and the constants harvested from the harness's .rodata; the
// artifact must satisfy the planted condition and reproduce. -float_mutators=0 must not find
// it in the same budget, and the in-process engine must take the same search path as one
// worker. (The range check 1e300 < x < 2e300 is in search_test: libFuzzer 14 finds it.)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// Shoal over seeds 1-5 needs at most a few thousand runs for the binary ones and ~10k for
// the text one (bench/float_bugs.sh); libFuzzer 14 finds none in 60 s (~40M runs).
constexpr char kFloatBudget[] = "-runs=500000";
constexpr char kDeadlySignal[] = R"(==\d+== ERROR: libFuzzer: deadly signal)";

double DoubleAt(const std::string& bytes, size_t offset, bool big_endian) {
  std::string window = bytes.substr(offset, 8);
  if (big_endian) std::reverse(window.begin(), window.end());
  double value;
  memcpy(&value, window.data(), 8);
  return value;
}

// Fuzzes `harness` with the float budget; expects the planted abort() and returns the
// artifact's bytes after checking that it reproduces.
std::string FindAndReproduce(const std::string& harness, const std::vector<std::string>& extra = {}) {
  TempDir dir;
  std::vector<std::string> args = {kSeed, kFloatBudget};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult run = RunProcess(Harness(harness), args, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  if (!a.ok) return "";
  RunResult rep = Reproduce(Harness(harness), {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
  EXPECT_TRUE(FindLine(rep.output, kDeadlySignal)) << rep.output;
  return a.bytes;
}

TEST(Float, DoubleEqualToPiIsFound) {
  const std::string bytes = FindAndReproduce("float_double_eq");
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(DoubleAt(bytes, 0, false), 3.14159265358979);
}

TEST(Float, BigEndianDoubleEqualToAShortMantissaConstantIsFound) {
  const std::string bytes = FindAndReproduce("float_double_neg_be");
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(DoubleAt(bytes, 0, true), -1234.5625);
}

TEST(Float, FloatEqualToAConstantIsFound) {
  const std::string bytes = FindAndReproduce("float_float_eq");
  ASSERT_GE(bytes.size(), 6u);
  float value;
  memcpy(&value, bytes.data() + 2, 4);
  EXPECT_EQ(value, 2.71828f);
}

TEST(Float, StrtodTextEqualToAConstantIsFound) {
  const std::string bytes = FindAndReproduce("float_strtod");
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(strtod(bytes.c_str(), nullptr), 6.02214076e23) << bytes;
}

TEST(Float, InProcessEngineFindsItToo) {
  const std::string bytes = FindAndReproduce("float_double_eq", {"-workers=0"});
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(DoubleAt(bytes, 0, false), 3.14159265358979);
}

// The Float* mutators are what finds these: without them the same budget finds nothing.
TEST(Float, FloatMutatorsZeroDoesNotFindThem) {
  for (const char* harness : {"float_double_eq", "float_float_eq"}) {
    TempDir dir;
    RunResult run =
        RunProcess(Harness(harness), {kSeed, kFloatBudget, "-float_mutators=0"}, dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(FindLine(run.output, R"(Done 500000 runs in \d+ second\(s\))")) << run.output;
  }
}

// The INITED/NEW/REDUCE lines and the crash's input, without what depends on timing.
std::vector<std::string> SearchPath(const RunResult& run) {
  std::vector<std::string> path;
  for (const std::string& line : Lines(run.output)) {
    if (FindLine(line, R"(#\d+\t(INITED|NEW   |REDUCE|DONE  ) .*)")) {
      const auto timing = line.find(" exec/s: ");
      const auto moves = line.find(" L: ");
      path.push_back(line.substr(0, timing) + (moves == std::string::npos ? "" : line.substr(moves)));
    } else if (line.rfind("MS: ", 0) == 0 || line.rfind("Base64: ", 0) == 0) {
      path.push_back(line);
    }
  }
  return path;
}

// Both processes harvest the same constants from the same binary: -workers=0 and
// -workers=1 take the same search path for one -seed, Float* steps included.
TEST(Float, OneWorkerAndInProcessTakeTheSamePath) {
  TempDir dir;
  RunResult in_process =
      RunProcess(Harness("float_strtod"), {"-seed=3", kFloatBudget, "-workers=0"}, dir.path());
  RunResult one_worker =
      RunProcess(Harness("float_strtod"), {"-seed=3", kFloatBudget, "-workers=1"}, dir.path());
  SHOAL_EXPECT_EXIT(in_process, 77);
  SHOAL_EXPECT_EXIT(one_worker, 77);
  const std::vector<std::string> expected = SearchPath(in_process);
  ASSERT_GT(expected.size(), 3u) << in_process.output;
  EXPECT_TRUE(HasLineContaining(in_process.output, "Float")) << in_process.output;
  EXPECT_EQ(SearchPath(one_worker), expected) << in_process.output << one_worker.output;
}

}  // namespace
}  // namespace shoal_test

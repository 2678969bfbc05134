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
// the text one (bench/float_bugs.sh); libFuzzer 14 finds none in 60 s (~40M runs). The
// 4-byte float of float_float_eq takes longer in this build: 22 k-1.4 M runs over seeds 1-8
// (median ~230 k; seed 1: 56 k), so the budget leaves room for a schedule change.
constexpr char kFloatBudget[] = "-runs=2000000";

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
  std::vector<std::string> args = {kSeed, kFloatBudget};
  args.insert(args.end(), extra.begin(), extra.end());
  return FindCrashAndReproduce(harness, args);
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
    EXPECT_TRUE(FindLine(run.output, R"(Done 2000000 runs in \d+ second\(s\))")) << run.output;
  }
}

// Both processes harvest the same constants from the same binary: -workers=0 and
// -workers=1 take the same search path for one -seed, Float* steps included.
TEST(Float, OneWorkerAndInProcessTakeTheSamePath) {
  ExpectOneWorkerTakesTheInProcessPath("float_strtod", {"-seed=3", kFloatBudget}, "Float");
}

}  // namespace
}  // namespace shoal_test

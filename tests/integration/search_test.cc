// Integration tests: search power. Bugs guarded by magic values that blind
// mutation cannot find (32/64-bit compares, memcmp, strcmp, a rare switch case)
// must be found through CMP tracing within a bounded -runs budget; a token hidden
// from CMP tracing must be found with -dict and not without it; a bug behind a
// checksummed format must be found through LLVMFuzzerCustomMutator. Each found
// artifact is checked to really satisfy the planted condition. Budgets are
// ~25x the worst of 20 libFuzzer 14 seeds (see the per-constant comments).
#include <cstdint>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// libFuzzer 14 over 20 seeds: magic32 0.5k-6.7k runs, magic64 0.7k-15k,
// memcmp16 1.7k-4.5k, strcmp 0.5k-21k, switch 0.3k-10k.
constexpr char kCmpBudget[] = "-runs=500000";
// custom mutator: 11k-288k runs.
constexpr char kCustomMutatorBudget[] = "-runs=5000000";
// dictionary token: ~1.0k-1.1k runs with -dict; never without.
constexpr char kDictBudget[] = "-runs=100000";

constexpr char kAsanSegv[] = R"(==\d+==ERROR: AddressSanitizer: SEGV on unknown address.*)";
constexpr char kDeadlySignal[] = R"(==\d+== ERROR: libFuzzer: deadly signal)";

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(Search, Magic32CompareIsSolved) {
  TempDir dir;
  RunResult run = RunProcess(Harness("magic32"), {kSeed, kCmpBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(FindLine(run.output, kAsanSegv)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "\xEF\xBE\xAD\xDE")) << "first 4 bytes must be 0xDEADBEEF (LE)";
}

TEST(Search, Magic64CompareIsSolved) {
  TempDir dir;
  RunResult run = RunProcess(Harness("magic64"), {kSeed, kCmpBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: deadly signal")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "\xEF\xCD\xAB\x89\x67\x45\x23\x01"))
      << "first 8 bytes must be 0x0123456789ABCDEF (LE)";
}

// A double strictly inside (1e300, 2e300): one binade, so byte-level mutations of the top
// two bytes reach it. libFuzzer 14 over seeds 1-5: 2.0k-77k runs (bench/float_bugs.sh has
// the non-sanitized numbers); Shoal's Float* mutators also write a bound one ulp inside.
constexpr char kFloatRangeBudget[] = "-runs=2000000";

TEST(Search, DoubleInsideAnOpenRangeIsFound) {
  TempDir dir;
  RunResult run = RunProcess(Harness("float_range"), {kSeed, kFloatRangeBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  ASSERT_GE(a.bytes.size(), 8u);
  double value;
  memcpy(&value, a.bytes.data(), 8);
  EXPECT_GT(value, 1e300);
  EXPECT_LT(value, 2e300);
  RunResult rep = Reproduce(Harness("float_range"), {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
}

TEST(Search, Memcmp16IsSolved) {
  TempDir dir;
  RunResult run = RunProcess(Harness("memcmp16"), {kSeed, kCmpBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(FindLine(run.output, kAsanSegv)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "ShoalMemcmp16xQZ")) << a.bytes;
}

TEST(Search, StrcmpWordIsSolved) {
  TempDir dir;
  RunResult run = RunProcess(Harness("strcmp_word"), {kSeed, kCmpBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  // strcmp sees the input up to its first NUL.
  EXPECT_EQ(std::string(a.bytes.c_str()), "FuzzW0rd") << a.bytes;
}

TEST(Search, RareSwitchCaseIsSolved) {
  TempDir dir;
  RunResult run = RunProcess(Harness("switch_rare"), {kSeed, kCmpBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);  // __builtin_trap: SIGILL, not handled by ASan by default
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "\x78\x56\x34\x12")) << "first 4 bytes must be 0x12345678 (LE)";
}

TEST(Search, DictionaryTokenIsFoundWithDict) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("dict_token"),
                 {kSeed, kDictBudget, "-dict=" + HarnessData("dict_token.dict")}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "Dictionary: 2 entries")) << run.output;
  EXPECT_TRUE(FindLine(run.output, kAsanSegv)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_NE(a.bytes.find(std::string("SHOAL\xffTOKEN42")), std::string::npos)
      << "artifact must contain the (\\x-decoded) dictionary token";
}

// Proves the harness hides the token: without -dict the same budget runs out.
TEST(Search, DictionaryTokenIsNotFoundWithoutDict) {
  TempDir dir;
  RunResult run = RunProcess(Harness("dict_token"), {kSeed, kDictBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(FindLine(run.output, R"(Done 100000 runs in \d+ second\(s\))")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to")) << run.output;
  EXPECT_TRUE(ListDir(dir.path()).empty());
}

TEST(Search, CustomMutatorReachesTheChecksummedBug) {
  TempDir dir;
  RunResult run = RunProcess(Harness("custom_mutator"), {kSeed, kCustomMutatorBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(FindLine(
      run.output,
      R"(INFO: found LLVMFuzzerCustomMutator \(0x[0-9a-f]+\)\. Disabling -len_control by default\.)"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "In LLVMFuzzerCustomMutator")) << run.output;
  EXPECT_TRUE(FindLine(run.output, kAsanSegv)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  ASSERT_GE(a.bytes.size(), 7u);
  uint32_t stored;
  memcpy(&stored, a.bytes.data(), 4);
  uint32_t sum = 0x811C9DC5u;  // FNV-1a, as in custom_mutator.cc
  for (size_t i = 4; i < a.bytes.size(); i++)
    sum = (sum ^ static_cast<unsigned char>(a.bytes[i])) * 0x01000193u;
  EXPECT_EQ(stored, sum) << "artifact must carry a valid checksum";
  EXPECT_EQ(a.bytes.substr(4, 3), "CM!");
}

}  // namespace
}  // namespace shoal_test

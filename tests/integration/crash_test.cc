// Integration tests: crash reporting. Each planted bug must be found within a
// bounded -runs budget, reported with libFuzzer 14's exact banner/SUMMARY lines
// and exit code, and saved as a crash-<sha1> artifact (also under
// -artifact_prefix / -exact_artifact_path) that reproduces the same failure when
// the harness is run on it. Budgets are ~20x the worst of 20 libFuzzer seeds.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// Prefix bugs (3 guarded bytes): libFuzzer 14 needs 0.3k-146k runs over 20 seeds.
constexpr char kPrefixBudget[] = "-runs=2000000";

constexpr char kAsanSegv[] = R"(==\d+==ERROR: AddressSanitizer: SEGV on unknown address.*)";
constexpr char kDeadlySignal[] = R"(==\d+== ERROR: libFuzzer: deadly signal)";
constexpr char kTargetExited[] = R"(==\d+== ERROR: libFuzzer: fuzz target exited)";
constexpr char kOverwrite[] = R"(==\d+== ERROR: libFuzzer: fuzz target overwrites its const input)";
// A symbolized frame of the target in a stack printed by the runtime.
constexpr char kTargetFrame[] = R"(\s+#\d+ 0x[0-9a-f]+ in LLVMFuzzerTestOneInput .*)";
constexpr char kDoneLine[] = R"(Done \d+ runs in \d+ second\(s\))";
constexpr char kMsLine[] = R"(MS: \d+ .*; base unit: [0-9a-f]{40})";
constexpr char kArtifactLine[] = R"(artifact_prefix='.*'; Test unit written to .*)";

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(CrashReporting, NullDerefIsAsanSegvWithArtifactThatReproduces) {
  TempDir dir;
  const std::string h = Harness("null_deref");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(FindLine(run.output, kAsanSegv)) << run.output;
  EXPECT_TRUE(FindLine(
      run.output,
      R"(SUMMARY: AddressSanitizer: SEGV .*null_deref\.cc:\d+:\d+ in LLVMFuzzerTestOneInput)"))
      << run.output;
  EXPECT_FALSE(FindLine(run.output, kDoneLine)) << "a crash must end the run\n" << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "HI!")) << "artifact does not trigger the bug: " << a.bytes;
  // The runtime's death callback prints the artifact block after ASan's report.
  ExpectLinesInOrder(run.output, {kAsanSegv, "SUMMARY: AddressSanitizer: SEGV .*", kMsLine,
                                  kArtifactLine, "Base64: .*"});

  RunResult rep = Reproduce(h, {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 1);
  EXPECT_TRUE(FindLine(rep.output, kAsanSegv)) << rep.output;
}

TEST(CrashReporting, ArtifactPrefixIsPrependedToTheArtifactPath) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("arts").c_str(), 0755), 0);
  RunResult run = RunProcess(Harness("null_deref"),
                             {kSeed, kPrefixBudget, "-artifact_prefix=arts/pre-"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  Artifact a = ExpectHashedArtifact(run, dir, "crash", "arts/pre-");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "HI!"));
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"arts"})
      << "nothing may be written outside the prefix";
}

TEST(CrashReporting, ExactArtifactPathReplacesTheWholePath) {
  TempDir dir;
  RunResult run = RunProcess(Harness("null_deref"),
                             {kSeed, kPrefixBudget, "-exact_artifact_path=FOOBAR"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  Artifact a = ExpectExactArtifact(run, dir, "FOOBAR");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "HI!"));
  EXPECT_EQ(ListDir(dir.path()), std::vector<std::string>{"FOOBAR"});
}

TEST(CrashReporting, HeapBufferOverflowIsReportedByAsan) {
  TempDir dir;
  const std::string h = Harness("heap_overflow");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(
      FindLine(run.output,
               R"(==\d+==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x[0-9a-f]+ .*)"))
      << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(READ of size 1 at 0x[0-9a-f]+ thread T0)")) << run.output;
  EXPECT_TRUE(FindLine(
      run.output,
      R"(SUMMARY: AddressSanitizer: heap-buffer-overflow .*heap_overflow\.cc:\d+:\d+ in LLVMFuzzerTestOneInput)"))
      << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "HB"));
  ExpectLinesInOrder(
      run.output, {".*ERROR: AddressSanitizer: heap-buffer-overflow.*",
                   "SUMMARY: AddressSanitizer: heap-buffer-overflow .*", kMsLine, kArtifactLine});
  // The overflow is one byte past a copy exactly as long as the input.
  EXPECT_TRUE(FindLine(run.output, R"(0x[0-9a-f]+ is located 0 bytes to the right of )" +
                                       std::to_string(a.bytes.size()) + R"(-byte region .*)"))
      << run.output;

  RunResult rep = Reproduce(h, {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 1);
  EXPECT_TRUE(HasLineContaining(rep.output, "AddressSanitizer: heap-buffer-overflow"))
      << rep.output;
}

TEST(CrashReporting, AbortIsADeadlySignalWithFinalStats) {
  TempDir dir;
  const std::string h = Harness("abort_prefix");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget, "-print_final_stats=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  EXPECT_TRUE(FindLine(run.output, kTargetFrame)) << "no target frame in the stack\n" << run.output;
  EXPECT_TRUE(HasLine(run.output, "NOTE: libFuzzer has rudimentary signal handlers."))
      << run.output;
  EXPECT_TRUE(
      HasLine(run.output,
              "      Combine libFuzzer with AddressSanitizer or similar for better crash reports."))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: deadly signal")) << run.output;
  // Final stats are printed from the crash path too.
  EXPECT_TRUE(FindLine(run.output, R"(stat::number_of_executed_units: [1-9]\d*)")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(stat::peak_rss_mb:              \d+)")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "AB!"));
  ExpectLinesInOrder(
      run.output, {kDeadlySignal, kTargetFrame, "NOTE: libFuzzer has rudimentary signal handlers.",
                   "SUMMARY: libFuzzer: deadly signal", kMsLine, kArtifactLine, "Base64: .*",
                   "stat::number_of_executed_units: .*"});

  RunResult rep = Reproduce(h, {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
  EXPECT_TRUE(FindLine(rep.output, kDeadlySignal)) << rep.output;
  EXPECT_TRUE(HasLine(rep.output, "SUMMARY: libFuzzer: deadly signal")) << rep.output;
}

TEST(CrashReporting, ErrorExitcodeFlagSetsTheExitCode) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("abort_prefix"), {kSeed, kPrefixBudget, "-error_exitcode=42"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 42);
  EXPECT_TRUE(FindLine(run.output, kDeadlySignal)) << run.output;
  EXPECT_TRUE(ExpectHashedArtifact(run, dir, "crash").ok);
}

TEST(CrashReporting, ExitInsideTheTargetIsACrash) {
  TempDir dir;
  const std::string h = Harness("exit_target");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kTargetExited)) << run.output;
  EXPECT_TRUE(FindLine(run.output, kTargetFrame)) << "no target frame in the stack\n" << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: fuzz target exited")) << run.output;
  EXPECT_FALSE(FindLine(run.output, kDoneLine)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "EX!"));
  ExpectLinesInOrder(
      run.output, {kTargetExited, kTargetFrame, "SUMMARY: libFuzzer: fuzz target exited", kMsLine,
                   kArtifactLine});

  RunResult rep = Reproduce(h, {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
  EXPECT_TRUE(FindLine(rep.output, kTargetExited)) << rep.output;
  EXPECT_TRUE(HasLine(rep.output, "SUMMARY: libFuzzer: fuzz target exited")) << rep.output;
}

TEST(CrashReporting, OverwritingTheConstInputIsACrash) {
  TempDir dir;
  const std::string h = Harness("overwrite_const");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kOverwrite)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: overwrites-const-input")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "crash");
  ASSERT_TRUE(a.ok);
  // The artifact is the input as it was passed in, not the overwritten copy.
  EXPECT_TRUE(StartsWith(a.bytes, "OW")) << a.bytes;
  ExpectLinesInOrder(run.output, {kOverwrite, "SUMMARY: libFuzzer: overwrites-const-input", kMsLine,
                                  kArtifactLine});

  RunResult rep = Reproduce(h, {}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
  EXPECT_TRUE(FindLine(rep.output, kOverwrite)) << rep.output;
}

}  // namespace
}  // namespace shoal_test

// -minimize_crash=1 and -cleanse_crash=1 as ClusterFuzz runs them, against Shoal and (as
// crash_tools_test_libfuzzer) real libFuzzer 14 with the same assertions.
#include <gtest/gtest.h>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

TEST(CrashTools, MinimizeCrashShrinksToTheSmallestCrashingInput) {
  TempDir dir;
  WriteFile(dir.path() + "/crash", "HI!rv349f34t3gg");
  RunResult run = RunProcess(
      Harness("null_deref"),
      {"-minimize_crash=1", "-max_total_time=10", "-exact_artifact_path=minimized", "crash"},
      dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "CRASH_MIN: minimizing crash input: 'crash' (15 bytes)"))
      << run.output;
  EXPECT_TRUE(
      HasLine(run.output, "CRASH_MIN: failed to minimize beyond minimized (3 bytes), exiting"))
      << run.output;
  // The last step's own lines: the length it chose, and that it found no smaller crash.
  EXPECT_TRUE(HasLine(run.output,
                      "INFO: -max_len is not provided; libFuzzer will not generate inputs larger "
                      "than 3 bytes"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "INFO: Done MinimizeCrashInputInternalStep, no crashes found"))
      << run.output;
  EXPECT_EQ(ReadFile(dir.path() + "/minimized"), "HI!");
}

TEST(CrashTools, MinimizeCrashStopsAtOneByte) {
  TempDir dir;
  WriteFile(dir.path() + "/crash", "abcd*xyz");
  // 30 s, not 10: each of the three steps starts a process and reproduces the crash first,
  // and on a loaded machine (CI with two tests at once) 10 s ran out before the last step.
  RunResult run = RunProcess(
      Harness("single_byte"),
      {"-minimize_crash=1", "-max_total_time=30", "-exact_artifact_path=minimized", "crash"},
      dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "INFO: The input is small enough, exiting")) << run.output;
  EXPECT_EQ(ReadFile(dir.path() + "/minimized"), "*");
}

TEST(CrashTools, MinimizeCrashRejectsAnInputThatDoesNotCrash) {
  TempDir dir;
  WriteFile(dir.path() + "/benign", "hello");
  RunResult run =
      RunProcess(Harness("null_deref"), {"-minimize_crash=1", "-runs=100", "benign"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLineContaining(run.output, "ERROR: the input benign did not crash")) << run.output;
}

TEST(CrashTools, CleanseReplacesEveryIrrelevantByte) {
  TempDir dir;
  WriteFile(dir.path() + "/crash", "0123456789ABCDEFGHIZ");
  RunResult run = RunProcess(Harness("cleanse"),
                             {"-cleanse_crash=1", "-exact_artifact_path=out", "crash"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "CLEANSE[0]: Trying to replace byte 0 of 20")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "CLEANSE: Replaced byte 0 with 0x20")) << run.output;
  EXPECT_EQ(ReadFile(dir.path() + "/out"), " 1   5    A        Z");
}

}  // namespace
}  // namespace shoal_test

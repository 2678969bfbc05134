// The shoal_fuzz_test macro's outputs (runtime/bazel/defs.bzl): the instrumented binary and
// the launcher behind its regression test and _run target. A clean seed corpus passes, a
// corpus holding a crasher fails with the crash report, and rules_fuzzing's FUZZER_*
// variables drive a fuzzing run that writes the crash artifact under FUZZER_OUTPUT_ROOT.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

std::string Runfile(const std::string& path) {
  return std::string(getenv("TEST_SRCDIR")) + "/" + getenv("TEST_WORKSPACE") + "/" + path;
}

const char kBinary[] = "examples/tlv_parser_fuzz_test_bin";
const char kLauncher[] = "runtime/bazel/launcher.sh";
const char kCleanSeed[] = "examples/tlv/corpus/integer_record";
const char kCrashingSeed[] = "examples/tlv/crashing_seed/overflow";

TEST(BazelMacro, RegressionTestPassesOnACleanCorpus) {
  TempDir dir;
  setenv("SHOAL_MODE", "regression", 1);
  RunResult run =
      RunProcess(Runfile(kLauncher), {Runfile(kBinary), Runfile(kCleanSeed)}, dir.path());
  unsetenv("SHOAL_MODE");
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "Running: " + Runfile(kCleanSeed))) << run.output;
}

TEST(BazelMacro, RegressionTestFailsWithTheCrashReport) {
  TempDir dir;
  setenv("SHOAL_MODE", "regression", 1);
  RunResult run =
      RunProcess(Runfile(kLauncher),
                 {Runfile(kBinary), Runfile(kCleanSeed), Runfile(kCrashingSeed)}, dir.path());
  unsetenv("SHOAL_MODE");
  EXPECT_TRUE(run.Exited() && run.exit_code != 0) << run.Describe() << "\n" << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(==\d+==ERROR: AddressSanitizer: stack-buffer-overflow .*)"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "Running: " + Runfile(kCrashingSeed))) << run.output;
}

TEST(BazelMacro, RulesFuzzingVariablesDriveAFuzzingRun) {
  TempDir dir;
  std::string seeds = dir.path() + "/seeds";
  ASSERT_EQ(mkdir(seeds.c_str(), 0755), 0);
  WriteFile(seeds + "/integer_record", ReadFile(Runfile(kCleanSeed)));
  setenv("FUZZER_BINARY", Runfile(kBinary).c_str(), 1);
  setenv("FUZZER_IS_REGRESSION", "0", 1);
  setenv("FUZZER_TIMEOUT_SECS", "100", 1);
  setenv("FUZZER_OUTPUT_ROOT", (dir.path() + "/out").c_str(), 1);
  setenv("FUZZER_SEED_CORPUS_DIR", seeds.c_str(), 1);
  RunResult run = RunProcess(Runfile(kLauncher), {"ignored-binary", "-seed=1"}, dir.path());
  for (const char* name : {"FUZZER_BINARY", "FUZZER_IS_REGRESSION", "FUZZER_TIMEOUT_SECS",
                           "FUZZER_OUTPUT_ROOT", "FUZZER_SEED_CORPUS_DIR"})
    unsetenv(name);
  SHOAL_EXPECT_EXIT(run, 1);  // ASan's exit code: the planted overflow was found
  std::vector<std::string> artifacts = ListDir(dir.path() + "/out/artifacts");
  ASSERT_EQ(artifacts.size(), 1u) << run.output;
  std::string bytes = ReadFile(dir.path() + "/out/artifacts/" + artifacts[0]);
  EXPECT_EQ(artifacts[0], "crash-" + Sha1Hex(bytes));
  EXPECT_EQ(bytes.substr(0, 5), std::string("TLV1\x42", 5));
  EXPECT_FALSE(ListDir(dir.path() + "/out/corpus").empty()) << "new inputs go to the corpus dir";
}

}  // namespace
}  // namespace shoal_test

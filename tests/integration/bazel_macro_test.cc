// The shoal_fuzz_test macro's outputs (runtime/bazel/defs.bzl): the instrumented binary and
// the launcher behind its regression test and _run target. A clean seed corpus passes, a
// corpus holding a crasher fails with the crash report, rules_fuzzing's FUZZER_*
// variables drive a fuzzing run that writes the crash artifact under FUZZER_OUTPUT_ROOT, and
// the _run target's worker count (SHOAL_WORKERS, set by the macro's `workers` attribute, or
// -workers=auto) gives the run one worker per CPU core, as the run itself reports.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>

#include <cstdlib>
#include <sstream>
#include <tuple>
#include <utility>
#include <vector>

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

// The CPU cores this process (and so the launcher it starts) may run on: what `nproc` says.
int UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  return CPU_COUNT(&set);
}

// The `workers` column of the last row of a stats file.
int WorkersInLastStatsRow(const std::string& path) {
  std::vector<std::string> lines = Lines(ReadFile(path));
  if (lines.size() < 2) {
    ADD_FAILURE() << "no stats row in " << path << ":\n" << ReadFile(path);
    return -1;
  }
  auto fields = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, ',');) out.push_back(field);
    return out;
  };
  std::vector<std::string> header = fields(lines[0]), last = fields(lines.back());
  for (size_t i = 0; i < header.size() && i < last.size(); i++)
    if (header[i] == "workers") return std::stoi(last[i]);
  ADD_FAILURE() << "no workers column in " << lines[0];
  return -1;
}

// A fuzzing run of the launcher (bazel run's mode) over the clean seed, with SHOAL_WORKERS set
// to `workers` unless it is empty; -runs=0 runs the seeds in the workers and stops.
RunResult LaunchFuzzing(const TempDir& dir, const std::string& workers,
                        const std::vector<std::string>& flags) {
  setenv("SHOAL_MODE", "fuzz", 1);
  if (!workers.empty()) setenv("SHOAL_WORKERS", workers.c_str(), 1);
  unsetenv("OMP_NUM_THREADS");  // nproc would obey them
  unsetenv("OMP_THREAD_LIMIT");
  std::vector<std::string> args = {Runfile(kBinary), Runfile(kCleanSeed), "-runs=0",
                                   "-stats_file=" + dir.Join("stats.csv")};
  args.insert(args.end(), flags.begin(), flags.end());
  RunResult run = RunProcess(Runfile(kLauncher), args, dir.path());
  unsetenv("SHOAL_MODE");
  unsetenv("SHOAL_WORKERS");
  return run;
}

TEST(BazelMacro, WorkersAutoRunsOneWorkerPerCpuCore) {
  const int cores = UsableCores();
  ASSERT_GT(cores, 0);
  const std::string line = "INFO: fuzzing with " + std::to_string(cores) + " worker process(es)";
  // As the macro's workers = "auto" sets it, and as the flag given to bazel run.
  for (const auto& [env, flags] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{{"auto", {}},
                                                                     {"", {"-workers=auto"}}}) {
    TempDir dir;
    RunResult run = LaunchFuzzing(dir, env, flags);
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(HasLine(run.output, line)) << run.output;
    EXPECT_EQ(WorkersInLastStatsRow(dir.Join("stats.csv")), cores) << run.output;
  }
}

TEST(BazelMacro, AWorkerCountIsPassedOnAndAnExplicitFlagWins) {
  {
    TempDir dir;
    RunResult run = LaunchFuzzing(dir, "3", {});
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(HasLine(run.output, "INFO: fuzzing with 3 worker process(es)")) << run.output;
    EXPECT_EQ(WorkersInLastStatsRow(dir.Join("stats.csv")), 3);
  }
  {
    TempDir dir;
    RunResult run = LaunchFuzzing(dir, "auto", {"-workers=2"});
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(HasLine(run.output, "INFO: fuzzing with 2 worker process(es)")) << run.output;
    EXPECT_EQ(WorkersInLastStatsRow(dir.Join("stats.csv")), 2);
  }
}

TEST(BazelMacro, ABadWorkerCountIsOneErrorLine) {
  for (const auto& [env, flags, shown] :
       std::vector<std::tuple<std::string, std::vector<std::string>, std::string>>{
           {"lots", {}, "SHOAL_WORKERS=lots"}, {"", {"-workers=all"}, "-workers=all"}}) {
    TempDir dir;
    RunResult run = LaunchFuzzing(dir, env, flags);
    SHOAL_EXPECT_EXIT(run, 1);
    EXPECT_EQ(Lines(run.output).size(), 1u) << run.output;
    EXPECT_TRUE(HasLine(run.output, "shoal: " + shown +
                                        ": give a number of worker processes or 'auto' (one "
                                        "per CPU core)"))
        << run.output;
    EXPECT_FALSE(FileExists(dir.Join("stats.csv"))) << "the target must not have started";
  }
}

}  // namespace
}  // namespace shoal_test

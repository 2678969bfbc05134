// Integration tests of several machines on one campaign through a shared corpus directory
// (Shoal only): two coordinators started by this test process, each with one worker, fuzz
// campaign_slots into one output directory with -reload=1 and different seeds, as two
// machines on shared storage would. They must take each other's finds (RELOAD lines, and
// each ends with at least the coverage the other reached alone), leave only files named by
// the SHA-1 of their contents and no temp file, and a coordinator SIGKILLed mid-run must
// leave no partial file under a corpus name. Four coordinators (one worker each) on
// campaign_words must exchange finds too, and together cover at least what one coordinator
// with four workers covers with the same total -runs budget.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// The cov: of every status line (#N NEW/REDUCE/RELOAD/INITED/pulse/DONE ...), with its kind.
struct Status {
  std::string kind;
  long cov;
};

std::vector<Status> StatusLines(const std::string& output) {
  std::vector<Status> statuses;
  static const std::regex kStatus(R"(^#\d+\s+(\w+)\s+cov: (\d+) .*)");
  for (const std::string& line : Lines(output)) {
    std::smatch m;
    if (std::regex_match(line, m, kStatus)) statuses.push_back({m[1], std::stol(m[2])});
  }
  return statuses;
}

// The coverage a coordinator reached on its own: that of its last status line before it
// first took another's finds (its first RELOAD line).
long CovBeforeFirstReload(const std::string& output) {
  long cov = 0;
  for (const Status& status : StatusLines(output)) {
    if (status.kind == "RELOAD") break;
    cov = status.cov;
  }
  return cov;
}

long FinalCov(const std::string& output) {
  std::vector<Status> statuses = StatusLines(output);
  return statuses.empty() ? -1 : statuses.back().cov;
}

void MakeDir(const TempDir& dir, const std::string& name) {
  ASSERT_EQ(mkdir(dir.Join(name).c_str(), 0755), 0) << name;
}

bool IsTempName(const std::string& name) {
  static const std::regex kTemp(R"(\.shoal-tmp\.([A-Za-z0-9_-]+\.)?\d+\.\d+)");
  return std::regex_match(name, kTemp);
}

// Every file of dir is whole: named by the SHA-1 of its contents. Temp files (of a killed
// coordinator) are counted, not checked: no listing ever reads them.
size_t ExpectEveryCorpusFileWhole(const std::string& dir, size_t* temp_files) {
  size_t files = 0;
  *temp_files = 0;
  for (const std::string& name : ListDir(dir)) {
    if (IsTempName(name)) {
      ++*temp_files;
      continue;
    }
    files++;
    EXPECT_EQ(name, Sha1Hex(ReadFile(dir + "/" + name))) << "a partial or misnamed file";
  }
  return files;
}

std::vector<std::string> CoordinatorFlags(const std::string& seed, int seconds) {
  return {"-workers=1", "-reload=1", "-seed=" + seed, "-max_total_time=" + std::to_string(seconds),
          "corpus"};
}

TEST(SharedCorpus, TwoCoordinatorsTakeEachOthersFindsUnderContentNames) {
  TempDir dir;
  MakeDir(dir, "corpus");
  RunResult a, b;
  std::thread first([&] { a = RunProcess(Harness("campaign_slots"), CoordinatorFlags("11", 10),
                                         dir.path()); });
  std::thread second([&] { b = RunProcess(Harness("campaign_slots"), CoordinatorFlags("22", 10),
                                          dir.path()); });
  first.join();
  second.join();
  SHOAL_EXPECT_EXIT(a, 0);
  SHOAL_EXPECT_EXIT(b, 0);
  // Each took the other's finds.
  EXPECT_GE(CountLines(a.output, R"(#\d+\s+RELOAD .*)"), 1) << a.output;
  EXPECT_GE(CountLines(b.output, R"(#\d+\s+RELOAD .*)"), 1) << b.output;
  // And ends with at least what either reached on its own before reloading.
  long alone = std::max(CovBeforeFirstReload(a.output), CovBeforeFirstReload(b.output));
  EXPECT_GT(alone, 0);
  EXPECT_GE(FinalCov(a.output), alone) << a.output;
  EXPECT_GE(FinalCov(b.output), alone) << b.output;
  // Every file is named by the SHA-1 of its bytes, and no temp file is left.
  size_t temp_files = 0;
  EXPECT_GT(ExpectEveryCorpusFileWhole(dir.Join("corpus"), &temp_files), 0u);
  EXPECT_EQ(temp_files, 0u) << "temp files left in the corpus";
}

TEST(SharedCorpus, ACoordinatorKilledMidRunLeavesNoPartialFileForTheOther) {
  TempDir dir;
  MakeDir(dir, "corpus");
  RunResult survivor, killed;
  std::thread first([&] { survivor = RunProcess(Harness("campaign_slots"),
                                                CoordinatorFlags("33", 8), dir.path()); });
  // SIGKILLed by the runner after 4 s, wherever it is (possibly in the middle of a write);
  // its worker dies with it.
  std::thread second([&] {
    killed = RunProcess(Harness("campaign_slots"), CoordinatorFlags("44", 60), dir.path(),
                        std::chrono::seconds(4));
  });
  first.join();
  second.join();
  SHOAL_EXPECT_EXIT(survivor, 0);
  EXPECT_TRUE(killed.timed_out) << killed.Describe() << "\n" << killed.output;
  EXPECT_FALSE(HasLineContaining(survivor.output, "could not read")) << survivor.output;
  size_t temp_files = 0;
  size_t files = ExpectEveryCorpusFileWhole(dir.Join("corpus"), &temp_files);
  EXPECT_GT(files, 0u);
  // What is there (temp files left out) is a corpus a new coordinator reads in full.
  RunResult again = RunProcess(Harness("campaign_slots"), {"-runs=0", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(again, 0);
  EXPECT_TRUE(HasLineContaining(again.output, " " + std::to_string(files) + " files found in corpus"))
      << "files: " << files << "\n" << again.output;
}

// The runs of the "Done N runs in S second(s)" line, or -1.
long DoneRuns(const std::string& output) {
  auto done = FindLine(output, R"(Done (\d+) runs in \d+ second\(s\))");
  return done ? std::stol((*done)[1]) : -1;
}

// The edges a corpus directory covers: those a fresh coordinator reports after reading it
// (-runs=0), the same measure for any number of machines that wrote it.
long CorpusCov(const std::string& harness, const TempDir& dir, const std::string& corpus) {
  RunResult run = RunProcess(Harness(harness), {"-runs=0", corpus}, dir.path());
  EXPECT_TRUE(run.Exited() && run.exit_code == 0) << run.Describe() << "\n" << run.output;
  auto inited = FindLine(run.output, R"(#\d+\tINITED cov: (\d+) .*)");
  EXPECT_TRUE(inited) << run.output;
  return inited ? std::stol((*inited)[1]) : -1;
}

// Four machines with one worker each against one machine with four workers, on the same
// total -runs budget (no timing is compared). campaign_words' coverage is reachable well
// within each coordinator's budget, so the four must end with at least the one's coverage
// however the runs are scheduled; and finds must have gone between them (RELOAD lines).
TEST(SharedCorpus, FourCoordinatorsExchangeFindsAndCoverWhatOneWithFourWorkersCovers) {
  constexpr int kCoordinators = 4;
  constexpr long kRunsEach = 600000;
  TempDir dir;
  MakeDir(dir, "one");
  MakeDir(dir, "shared");
  RunResult one = RunProcess(Harness("campaign_words"),
                             {"-workers=" + std::to_string(kCoordinators), "-seed=7",
                              "-runs=" + std::to_string(kCoordinators * kRunsEach), "one"},
                             dir.path());
  SHOAL_EXPECT_EXIT(one, 0);
  EXPECT_GE(DoneRuns(one.output), kCoordinators * kRunsEach) << one.output;

  std::vector<RunResult> runs(kCoordinators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCoordinators; i++) {
    threads.emplace_back([&runs, &dir, i] {
      runs[size_t(i)] = RunProcess(
          Harness("campaign_words"),
          {"-workers=1", "-reload=1", "-seed=" + std::to_string(101 + 17 * i),
           "-runs=" + std::to_string(kRunsEach), "shared"},
          dir.path());
    });
  }
  for (std::thread& thread : threads) thread.join();
  long alone = 0;
  for (const RunResult& run : runs) alone = std::max(alone, CovBeforeFirstReload(run.output));
  EXPECT_GT(alone, 0);
  int reloads = 0;
  for (const RunResult& run : runs) {
    SHOAL_EXPECT_EXIT(run, 0);
    // The whole budget was used (the files a last -reload look took may add a few runs).
    EXPECT_GE(DoneRuns(run.output), kRunsEach) << run.output;
    // Ends with at least what any of them reached alone.
    EXPECT_GE(FinalCov(run.output), alone) << run.output;
    reloads += CountLines(run.output, R"(#\d+\s+RELOAD .*)");
  }
  // Finds were exchanged. Counted across the campaign, not per coordinator: RELOAD is printed
  // only when the files read add features (as libFuzzer does), and a coordinator whose own
  // runs found everything the others wrote first has nothing to print (seen 1 CI run in 4).
  EXPECT_GE(reloads, 1);
  size_t temp_files = 0;
  EXPECT_GT(ExpectEveryCorpusFileWhole(dir.Join("shared"), &temp_files), 0u);
  EXPECT_EQ(temp_files, 0u) << "temp files left in the corpus";

  const long one_cov = CorpusCov("campaign_words", dir, "one");
  const long four_cov = CorpusCov("campaign_words", dir, "shared");
  RecordProperty("one_coordinator_cov", int(one_cov));
  RecordProperty("four_coordinators_cov", int(four_cov));
  EXPECT_GT(one_cov, 0);
  EXPECT_GE(four_cov, one_cov) << "four coordinators x 1 worker covered less than one x 4 workers";
  // The final status lines agree: the best of the four reaches the one's.
  long best_final = 0;
  for (const RunResult& run : runs) best_final = std::max(best_final, FinalCov(run.output));
  EXPECT_GE(best_final, FinalCov(one.output)) << one.output;
}

}  // namespace
}  // namespace shoal_test

// Integration tests of several machines on one campaign through a shared corpus directory
// (Shoal only): two coordinators started by this test process, each with one worker, fuzz
// campaign_slots into one output directory with -reload=1 and different seeds, as two
// machines on shared storage would. They must take each other's finds (RELOAD lines, and
// each ends with at least the coverage the other reached alone), leave only files named by
// the SHA-1 of their contents and no temp file, and a coordinator SIGKILLed mid-run must
// leave no partial file under a corpus name.
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

}  // namespace
}  // namespace shoal_test

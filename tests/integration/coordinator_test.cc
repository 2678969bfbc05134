// Integration tests of the multi-process design (Shoal only: libFuzzer has no workers).
// Each failure found by a worker must leave an artifact whose bytes are the culprit input,
// whatever killed the worker; keep-going runs must write one artifact per unique bug; a
// worker that sends garbage must be survived; Ctrl-C must leave no process behind; the
// recommended dictionary at the end is the workers' (as the in-process engine prints it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <cstdlib>
#include <thread>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

std::vector<std::string> FilesStartingWith(const TempDir& dir, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& name : ListDir(dir.path()))
    if (name.compare(0, prefix.size(), prefix) == 0) found.push_back(name);
  return found;
}

TEST(Coordinator, TwoWorkersFindACrashAndTheArtifactIsTheCulprit) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("null_deref"), {kSeed, "-workers=2", "-runs=2000000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLineContaining(run.output, "INFO: fuzzing with 2 worker process(es)"));
  // Both workers may crash in the same moment (they share "HI" and both find "HI!"): each
  // announced artifact is written (EveryAnnouncedArtifactExists...), and each is a culprit.
  std::vector<std::string> crashes = FilesStartingWith(dir, "crash-");
  ASSERT_GE(crashes.size(), 1u) << run.output;
  for (const std::string& crash : crashes) {
    std::string bytes = ReadFile(dir.Join(crash));
    EXPECT_EQ(crash, "crash-" + Sha1Hex(bytes));
    EXPECT_EQ(bytes.substr(0, 3), "HI!") << crash;
  }
}

TEST(Coordinator, EveryAnnouncedArtifactExistsWhenBothWorkersCrashAtOnce) {
  // On an easy bug both workers often crash within a millisecond; the second one's
  // "Test unit written to" line must name a file too, however the deaths interleave.
  int double_crashes = 0;
  for (int seed = 1; seed <= 6; seed++) {
    TempDir dir;
    RunResult run = RunProcess(Harness("magic32"),
                               {"-seed=" + std::to_string(seed), "-workers=2"}, dir.path());
    SHOAL_EXPECT_EXIT(run, 1);
    int announced = 0;
    for (const std::string& line : Lines(run.output)) {
      auto m = FindLine(line, R"(artifact_prefix='\./'; Test unit written to \./(crash-[0-9a-f]{40}))");
      if (!m) continue;
      announced++;
      std::string path = dir.Join((*m)[1]);
      ASSERT_TRUE(FileExists(path)) << path << " was announced but not written\n" << run.output;
      EXPECT_EQ((*m)[1], "crash-" + Sha1Hex(ReadFile(path)));
    }
    EXPECT_GE(announced, 1) << run.output;
    double_crashes += announced > 1;
    // A worker killed because the other one failed takes its symbolizer with it: nothing
    // from the killed process group lands in the output afterwards.
    EXPECT_FALSE(HasLineContaining(run.output, "Broken pipe")) << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "pure virtual method called")) << run.output;
  }
  RecordProperty("double_crashes", double_crashes);
}

TEST(Coordinator, ASigkilledWorkerIsStillReportedWithItsInput) {
  TempDir dir;
  RunResult run = RunProcess(Harness("sigkill_magic"), {kSeed, "-runs=2000000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, R"(==\d+== ERROR: libFuzzer: deadly signal)")) << run.output;
  EXPECT_TRUE(HasLineContaining(run.output, "was killed by signal 9")) << run.output;
  std::vector<std::string> crashes = FilesStartingWith(dir, "crash-");
  ASSERT_EQ(crashes.size(), 1u) << run.output;
  std::string bytes = ReadFile(dir.path() + "/" + crashes[0]);
  EXPECT_EQ(bytes.substr(0, 3), "KIL");
  EXPECT_EQ(crashes[0], "crash-" + Sha1Hex(bytes));
  EXPECT_TRUE(HasLine(run.output, "artifact_prefix='./'; Test unit written to ./" + crashes[0]));
}

// A large input the worker could not print (it was SIGKILLed): the coordinator prints
// libFuzzer's "MS:" line for it all the same, and leaves out the bytes (over 256 of them).
TEST(Coordinator, ASigkilledWorkersLargeInputGetsTheMsLineWithoutItsBytes) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("corpus").c_str(), 0755), 0);
  WriteFile(dir.Join("corpus/big"), "KIL" + std::string(400, 'x'));
  RunResult run = RunProcess(Harness("sigkill_magic"), {kSeed, "-runs=10", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(HasLine(run.output, "MS: 0 ; base unit: 0000000000000000000000000000000000000000"))
      << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "0x4b,0x49,0x4c,")) << run.output;  // no hex
  std::vector<std::string> crashes = FilesStartingWith(dir, "crash-");
  ASSERT_EQ(crashes.size(), 1u) << run.output;
  EXPECT_EQ(ReadFile(dir.path() + "/" + crashes[0]).size(), 403u);
}

TEST(Coordinator, AHangTheWorkerCannotReportIsCaughtByTheWatchdog) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("hang_no_alarm"), {kSeed, "-timeout=1", "-runs=2000000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 70);
  EXPECT_TRUE(FindLine(run.output, R"(==\d+== ERROR: libFuzzer: timeout after 1 seconds)"))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: timeout")) << run.output;
  std::vector<std::string> timeouts = FilesStartingWith(dir, "timeout-");
  ASSERT_EQ(timeouts.size(), 1u) << run.output;
  std::string bytes = ReadFile(dir.path() + "/" + timeouts[0]);
  EXPECT_EQ(bytes.substr(0, 2), "ZZ");
  EXPECT_EQ(timeouts[0], "timeout-" + Sha1Hex(bytes));
}

TEST(Coordinator, KeepGoingWritesExactlyOneArtifactPerUniqueBug) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("two_bugs"),
                 {kSeed, "-keep_going=1", "-runs=100000", "-print_final_stats=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> crashes = FilesStartingWith(dir, "crash-");
  ASSERT_EQ(crashes.size(), 2u) << run.output;
  std::vector<std::string> prefixes;
  for (const std::string& name : crashes) {
    std::string bytes = ReadFile(dir.path() + "/" + name);
    EXPECT_EQ(name, "crash-" + Sha1Hex(bytes));
    prefixes.push_back(bytes.substr(0, 2));
  }
  std::sort(prefixes.begin(), prefixes.end());
  EXPECT_EQ(prefixes, (std::vector<std::string>{"AB", "XY"}));
  // Each unique crash is also minimised; both inputs are kept.
  for (const std::string& name : crashes) {
    std::string bytes = ReadFile(dir.path() + "/" + name);
    std::string minimized = dir.path() + "/minimized-from-" + Sha1Hex(bytes);
    if (bytes.size() > 2) {
      ASSERT_TRUE(FileExists(minimized)) << name << "\n" << run.output;
      EXPECT_EQ(ReadFile(minimized), bytes.substr(0, 2));
    } else {
      EXPECT_TRUE(HasLineContaining(run.output, name + " (2 bytes) could not be minimized further"))
          << run.output;
    }
  }
  EXPECT_TRUE(HasLine(run.output, "stat::unique_crashes:           2")) << run.output;
  auto crashes_line = FindLine(run.output, R"(stat::crashes: +(\d+))");
  ASSERT_TRUE(crashes_line);
  EXPECT_GE(std::stoi((*crashes_line)[1]), 2);
  // A worker that dies mid-request leaves only its slot's execution count, which also
  // counts the runs a worker does not count (a restarted worker's empty input).
  auto done = FindLine(run.output, R"(Done (\d+) runs in \d+ second\(s\))");
  ASSERT_TRUE(done) << run.output;
  EXPECT_GE(std::stoull((*done)[1]), 100000u);
  EXPECT_LE(std::stoull((*done)[1]), 100000u + std::stoull((*crashes_line)[1]));
}

TEST(Coordinator, RunsCountsExactlyWithTwoWorkers) {
  // Each worker runs the empty input once; only worker 0's counts, as in one process.
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"),
                             {kSeed, "-workers=2", "-runs=100000", "-print_final_stats=1"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(FindLine(run.output, R"(Done 100000 runs in \d+ second\(s\))")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "stat::number_of_executed_units: 100000")) << run.output;
}

// The "Done N runs" of a run that ended on -runs, or -1.
long long DoneRuns(const RunResult& run) {
  auto done = FindLine(run.output, R"(Done (\d+) runs in \d+ second\(s\))");
  return done ? std::stoll((*done)[1]) : -1;
}

TEST(Coordinator, RunsIsNeverOvershotWhenTheLeakCheckRunsInputsTwice) {
  // Every input of this target mallocs more than it frees, so the leak check runs it a
  // second time, a counted run; one that would go past a worker's share of the budget
  // overshot -runs (by one per request that ended on its budget, e.g. 7 -> 11 with 4
  // workers). The seeds (the empty input, "\n" and its second run) take 3 runs.
  for (int workers : {0, 1, 2, 3, 4}) {
    for (long long runs : {4, 9, 100, 333}) {
      TempDir dir;
      RunResult run = RunProcess(Harness("keeps_allocations"),
                                 {kSeed, "-workers=" + std::to_string(workers),
                                  "-runs=" + std::to_string(runs)},
                                 dir.path());
      SHOAL_EXPECT_EXIT(run, 0);
      EXPECT_EQ(DoneRuns(run), runs) << "-workers=" << workers << "\n" << run.output;
    }
  }
}

TEST(Coordinator, RunsIsExactWithSeveralWorkersOnAFastTarget) {
  // Requests end on time (200 ms) or on their share of the budget, in every order; the
  // total over all workers must come out at -runs exactly, never above.
  for (int round = 0; round < 2; round++) {
    for (int workers : {2, 3, 4}) {
      for (long long runs : {5000, 300000}) {
        TempDir dir;
        RunResult run = RunProcess(Harness("branchy"),
                                   {"-seed=" + std::to_string(round + 1),
                                    "-workers=" + std::to_string(workers),
                                    "-runs=" + std::to_string(runs)},
                                   dir.path());
        SHOAL_EXPECT_EXIT(run, 0);
        EXPECT_EQ(DoneRuns(run), runs) << "-workers=" << workers << "\n" << run.output;
      }
    }
  }
}

class GarbageWorker : public ::testing::TestWithParam<const char*> {};

TEST_P(GarbageWorker, IsRestartedAndTheRunGoesOn) {
  TempDir dir;
  setenv("SHOAL_WORKER_EXECUTABLE", HarnessData("garbage_worker.sh").c_str(), 1);
  setenv("REAL_WORKER", Harness("null_deref").c_str(), 1);
  setenv("GARBAGE_MARK", (dir.path() + "/garbage-sent").c_str(), 1);
  setenv("GARBAGE_KIND", GetParam(), 1);
  RunResult run = RunProcess(Harness("null_deref"), {kSeed, "-runs=2000000"}, dir.path());
  unsetenv("SHOAL_WORKER_EXECUTABLE");
  EXPECT_TRUE(FileExists(dir.path() + "/garbage-sent"));
  EXPECT_TRUE(FindLine(run.output, R"(ERROR: worker 0 \(pid \d+\) .*; restarting it)"))
      << run.output;
  // The restarted worker fuzzes on and finds the bug.
  SHOAL_EXPECT_EXIT(run, 1);
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes.substr(0, 3), "HI!");
}

INSTANTIATE_TEST_SUITE_P(Kinds, GarbageWorker, ::testing::Values("junk", "huge", "truncated"));

// Starts the empty harness with two workers in the background, its output in `log`, and
// returns once it has printed INITED (or after 60 s).
pid_t StartFuzzingWithTwoWorkers(const std::string& log) {
  std::string harness = Harness("empty");
  pid_t child = fork();
  if (child == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(harness.c_str(), harness.c_str(), "-workers=2", "-max_total_time=60", nullptr);
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!HasLineContaining(ReadFile(log), "INITED") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return child;
}

TEST(Coordinator, SigintStopsEveryWorkerAndExitsWith72) {
  // Orphans would be re-parented to this process, so waitpid below sees any survivor.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  TempDir dir;
  std::string log = dir.path() + "/log";
  pid_t child = StartFuzzingWithTwoWorkers(log);
  ASSERT_GT(child, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(child, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::string output = ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 72) << output;
  EXPECT_TRUE(FindLine(output, R"(==\d+== libFuzzer: run interrupted; exiting)")) << output;
  // No worker outlived the coordinator.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  pid_t survivor = waitpid(-1, &status, WNOHANG);
  EXPECT_TRUE(survivor == -1 && errno == ECHILD) << "a worker survived: pid " << survivor;
}

TEST(Coordinator, Sigusr1StopsGracefullyWithExitCode0) {
  TempDir dir;
  std::string log = dir.path() + "/log";
  pid_t child = StartFuzzingWithTwoWorkers(log);
  ASSERT_GT(child, 0);
  ASSERT_EQ(kill(child, SIGUSR1), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  std::string output = ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_TRUE(HasLine(output, "INFO: signal received, trying to exit gracefully")) << output;
  EXPECT_TRUE(FindLine(output, R"(==\d+== INFO: libFuzzer: exiting as requested)")) << output;
}

TEST(Coordinator, TracePcGuardBuildsAreSupported) {
  // libFuzzer 14 refuses trace-pc-guard builds; Shoal counts the guards as counters.
  TempDir dir;
  RunResult run = RunProcess(Harness("null_deref_pcguard"), {kSeed, "-runs=2000000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  auto guards = FindLine(run.output, R"(INFO: Loaded 1 modules   \((\d+) guards\): .*)");
  ASSERT_TRUE(guards) << run.output;
  EXPECT_GT(std::stoi((*guards)[1]), 0);
  EXPECT_TRUE(FindLine(run.output, R"(#\d+\tINITED cov: [1-9]\d* .*)")) << run.output;
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes.substr(0, 3), "HI!");
}

// The INITED/NEW/REDUCE/DONE lines of a run, without the parts that depend on timing.
std::vector<std::string> SearchPath(const std::string& output) {
  std::vector<std::string> path;
  for (const std::string& line : Lines(output)) {
    if (!FindLine(line, R"(#\d+\t(INITED|NEW   |REDUCE|DONE  ) .*)")) continue;
    auto timing = line.find(" exec/s: ");
    auto moves = line.find(" L: ");
    path.push_back(line.substr(0, timing) +
                   (moves == std::string::npos ? "" : line.substr(moves)));
  }
  return path;
}

TEST(Coordinator, OneWorkerTakesTheInProcessEnginesPathForTheSameSeed) {
  // Worker 0 starts from the RNG state the in-process engine has after ordering the seeds,
  // and a worker's second look at a new unit is not a run: same -seed, same search.
  TempDir dir;
  for (const char* name : {"a", "b"}) ASSERT_EQ(mkdir(dir.Join(name).c_str(), 0755), 0);
  WriteFile(dir.Join("a/seed1"), "\x01\x02\x03");
  WriteFile(dir.Join("a/seed2"), "hello fuzzer");
  WriteFile(dir.Join("a/seed3"), "7");
  for (const char* seed : {"a/seed1", "a/seed2", "a/seed3"})
    WriteFile(dir.Join(std::string("b/") + (seed + 2)), ReadFile(dir.Join(seed)));
  RunResult in_process =
      RunProcess(Harness("branchy"), {"-seed=5", "-runs=20000", "-workers=0", "a"}, dir.path());
  RunResult one_worker =
      RunProcess(Harness("branchy"), {"-seed=5", "-runs=20000", "-workers=1", "b"}, dir.path());
  SHOAL_EXPECT_EXIT(in_process, 0);
  SHOAL_EXPECT_EXIT(one_worker, 0);
  std::vector<std::string> expected = SearchPath(in_process.output);
  ASSERT_GT(expected.size(), 5u) << in_process.output;
  EXPECT_EQ(SearchPath(one_worker.output), expected) << in_process.output << one_worker.output;
}

TEST(Coordinator, InProcessEngineStillWorksWithWorkersZero) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("null_deref"), {kSeed, "-workers=0", "-runs=2000000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_FALSE(HasLineContaining(run.output, "worker process"));
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes.substr(0, 3), "HI!");
}

// The "###### Recommended dictionary. ######" block of a run (ClusterFuzz reads it from the
// log): its word lines, e.g. "\"APPLE\" # Uses: 2897", in order; empty if there is none.
// Expects it, when there, between the DONE line and "Done N runs", as libFuzzer prints it.
std::vector<std::string> RecommendedDictionary(const std::string& output) {
  std::vector<std::string> lines = Lines(output), words;
  size_t begin = 0;
  while (begin < lines.size() && lines[begin] != "###### Recommended dictionary. ######") begin++;
  if (begin == lines.size()) return words;
  EXPECT_TRUE(begin > 0 && FindLine(lines[begin - 1], R"(#\d+\tDONE   cov: .*)")) << output;
  const std::string last = "###### End of recommended dictionary. ######";
  size_t end = begin + 1;
  for (; end < lines.size() && lines[end] != last; end++) {
    EXPECT_TRUE(FindLine(lines[end], R"("[^"]*(\\"[^"]*)*" # Uses: \d+)")) << lines[end];
    words.push_back(lines[end]);
  }
  EXPECT_LT(end + 1, lines.size()) << output;
  if (end + 1 < lines.size())
    EXPECT_TRUE(FindLine(lines[end + 1], R"(Done \d+ runs in \d+ second\(s\))")) << output;
  return words;
}

std::string WordOf(const std::string& line) { return line.substr(0, line.rfind(" # Uses: ")); }

TEST(Coordinator, WorkersPrintTheRecommendedDictionaryTheInProcessEngineWould) {
  // food_words compares with strstr: every process learns "APPLE", "GINGER" and "BEET" within
  // a few thousand runs, so each run recommends them whatever the workers' timing.
  TempDir dir;
  const std::vector<std::string> args = {"-seed=3", "-runs=20000"};
  auto run = [&](const char* workers) {
    std::vector<std::string> flags = args;
    flags.push_back(workers);
    RunResult result = RunProcess(Harness("food_words"), flags, dir.path());
    SHOAL_EXPECT_EXIT(result, 0);
    return result;
  };
  RunResult in_process = run("-workers=0");
  std::set<std::string> expected;
  for (const std::string& line : RecommendedDictionary(in_process.output))
    expected.insert(WordOf(line));
  ASSERT_TRUE(expected.count("\"APPLE\"")) << in_process.output;
  for (const char* workers : {"-workers=1", "-workers=2"}) {
    RunResult with_workers = run(workers);
    EXPECT_EQ(CountLines(with_workers.output, "###### Recommended dictionary. ######"), 1)
        << workers << "\n" << with_workers.output;
    size_t shared = 0;
    for (const std::string& line : RecommendedDictionary(with_workers.output))
      shared += expected.count(WordOf(line));
    EXPECT_GE(shared, 1u) << workers << "\n" << in_process.output << with_workers.output;
  }
}

TEST(Coordinator, OneWorkerRecommendsExactlyTheInProcessDictionaryForTheSameSeed) {
  // Same -seed, same search (OneWorkerTakesTheInProcessEnginesPathForTheSameSeed): the same
  // words, in the same order, with the same use counts; the worker's last count is asked for
  // when the run ends.
  TempDir dir;
  RunResult in_process =
      RunProcess(Harness("branchy"), {"-seed=3", "-runs=30000", "-workers=0"}, dir.path());
  RunResult one_worker =
      RunProcess(Harness("branchy"), {"-seed=3", "-runs=30000", "-workers=1"}, dir.path());
  SHOAL_EXPECT_EXIT(in_process, 0);
  SHOAL_EXPECT_EXIT(one_worker, 0);
  std::vector<std::string> expected = RecommendedDictionary(in_process.output);
  ASSERT_FALSE(expected.empty()) << in_process.output;
  EXPECT_EQ(RecommendedDictionary(one_worker.output), expected) << one_worker.output;
}

TEST(Coordinator, TheRecommendedDictionaryOfWorkersLeavesOutTheDictWords) {
  TempDir dir;
  WriteFile(dir.Join("food.dict"), "apple=\"APPLE\"\n");
  RunResult run = RunProcess(Harness("food_words"),
                             {"-seed=3", "-runs=20000", "-workers=2", "-dict=food.dict"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> words = RecommendedDictionary(run.output);
  ASSERT_FALSE(words.empty()) << run.output;  // GINGER and BEET
  for (const std::string& line : words) EXPECT_NE(WordOf(line), "\"APPLE\"") << run.output;
}

// Param: SHOAL_REPLY_SPLIT_BYTES for the workers ("" = the default split, at 8 MiB). With 16,
// a worker answers each chunk in many partial replies, as it does for inputs with tens of
// thousands of features each: results already sent must count once, and a death after them
// must be charged to the right input of the rest.
class MergeWithTwoWorkers : public ::testing::TestWithParam<const char*> {};

TEST_P(MergeWithTwoWorkers, AccountsForEveryInputAroundCrashes) {
  // 600 inputs are three chunks; four crash, two of them with the same bytes. Each death
  // must be charged to the input that caused it, and every other input must be recorded,
  // whichever worker ran it.
  if (*GetParam()) setenv("SHOAL_REPLY_SPLIT_BYTES", GetParam(), 1);
  TempDir dir;
  ASSERT_EQ(mkdir((dir.path() + "/out").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir.path() + "/in").c_str(), 0755), 0);
  const std::set<int> crashing = {10, 11, 300, 599};
  for (int i = 0; i < 600; i++) {
    char name[16];
    snprintf(name, sizeof(name), "%03d", i);
    std::string bytes = "xxxxxx";
    bytes[size_t(i) % 6] = "FUZZER"[i % 6];  // six distinct feature sets, every input 6 bytes
    if (crashing.count(i)) bytes = "FUZZER";
    WriteFile(dir.path() + "/in/" + name, bytes);
  }
  RunResult run =
      RunProcess(Harness("full_coverage_set"),
                 {"-merge=1", "-workers=2", "-merge_control_file=mcf", "out", "in"}, dir.path());
  unsetenv("SHOAL_REPLY_SPLIT_BYTES");
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_EQ(CountLines(run.output, "BINGO"), 4) << run.output;
  EXPECT_TRUE(HasLine(run.output, "MERGE-OUTER: successful in 5 attempt(s)")) << run.output;
  std::string mcf = ReadFile(dir.path() + "/mcf");
  EXPECT_EQ(CountLines(mcf, R"(STARTED \d+ 6)"), 600) << mcf.substr(0, 2000);
  EXPECT_EQ(CountLines(mcf, R"(FT \d+( \d+)*)"), 596);
  // The four inputs without FT are exactly the crashing files.
  std::vector<std::string> lines = Lines(mcf);
  ASSERT_GE(lines.size(), 602u);
  std::set<std::string> unfinished;
  for (size_t i = 0; i < 600; i++) {
    bool finished = false;
    for (const std::string& line : lines)
      if (line == "FT " + std::to_string(i) || line.rfind("FT " + std::to_string(i) + " ", 0) == 0)
        finished = true;
    if (!finished) unfinished.insert(lines[2 + i]);
  }
  EXPECT_EQ(unfinished, (std::set<std::string>{"in/010", "in/011", "in/300", "in/599"}));
  // Six distinct feature sets: six inputs kept, none of them a crasher.
  std::vector<std::string> kept = ListDir(dir.path() + "/out");
  EXPECT_EQ(kept.size(), 6u) << run.output;
  for (const std::string& name : kept) EXPECT_NE(ReadFile(dir.path() + "/out/" + name), "FUZZER");
  EXPECT_EQ(FilesStartingWith(dir, "crash-").size(), 1u);  // one artifact: the same bytes
}

INSTANTIATE_TEST_SUITE_P(ReplySplits, MergeWithTwoWorkers, ::testing::Values("", "16"));

}  // namespace
}  // namespace shoal_test

// Hostile targets and ClusterFuzz's expectations of them (issue 8): a target that calls
// _exit(N), corrupts the heap, scribbles over every descriptor, leaves a child holding the
// worker's pipes, or crashes in sixteen ways; and a corpus that two workers keep reducing to
// the same bytes. Each run must end on its own (the runner's deadline is a failure), keep the
// input that did it, and lose no corpus file. Runs against Shoal and, as
// hostile_test_libfuzzer, real libFuzzer 14 where the expectation is libFuzzer's own; the
// cases about Shoal's workers skip themselves there.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <set>
#include <thread>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

#define SHOAL_ONLY() \
  if (Engine() != "shoal") GTEST_SKIP() << "about Shoal's worker processes"

void MakeDir(const std::string& path) { ASSERT_EQ(mkdir(path.c_str(), 0755), 0) << path; }

std::vector<std::string> FilesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& name : ListDir(dir))
    if (name.compare(0, prefix.size(), prefix) == 0) found.push_back(name);
  return found;
}

// Processes whose executable is `binary` (left behind by a run).
std::vector<int> ProcessesRunning(const std::string& binary) {
  std::vector<int> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (dirent* entry = readdir(proc)) {
    int pid = atoi(entry->d_name);
    if (pid <= 0) continue;
    char target[PATH_MAX];
    std::string link = "/proc/" + std::string(entry->d_name) + "/exe";
    ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (binary == target) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

// Starts `binary args...` in `cwd` in the background, its output in `log`; returns its pid.
pid_t StartInBackground(const std::string& binary, const std::vector<std::string>& args,
                        const std::string& cwd, const std::string& log) {
  pid_t child = fork();
  if (child == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return child;
}

// Waits up to `seconds` for a line containing `needle` in the file `log`.
bool WaitForOutput(const std::string& log, const std::string& needle, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (HasLineContaining(ReadFile(log), needle)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits up to `seconds` for the child to end (SIGKILLs it after that); its wait status, or
// -1 if it had to be killed.
int WaitOrKill(pid_t child, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &status, WNOHANG) == child) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  return -1;
}

// Children of `pid` (from /proc; a child forked by any of its threads).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  DIR* proc = opendir("/proc");
  if (!proc) return children;
  while (dirent* entry = readdir(proc)) {
    int candidate = atoi(entry->d_name);
    if (candidate <= 0) continue;
    std::string stat = ReadFile("/proc/" + std::string(entry->d_name) + "/stat");
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    char state;
    int ppid;
    if (sscanf(stat.c_str() + paren + 1, " %c %d", &state, &ppid) == 2 && ppid == pid &&
        state != 'Z')
      children.push_back(pid_t(candidate));
  }
  closedir(proc);
  return children;
}

// Every file of an output corpus is whole: named by the SHA-1 of its bytes, no temp file.
void ExpectOnlyWholeCorpusFiles(const std::string& dir) {
  for (const std::string& name : ListDir(dir))
    EXPECT_EQ(name, Sha1Hex(ReadFile(dir + "/" + name))) << "partial or foreign file " << name;
}

// ClusterFuzz's test_exit_failure_logged / test_exit_target_bug_not_logged: its fuzz command
// on exit_fuzzer. libFuzzer exits with the target's code and writes no artifact, so
// ClusterFuzz files no reproducer (an empty one of its own) and logs an engine error for 1.
class ExitFuzzer : public ::testing::TestWithParam<const char*> {};

TEST_P(ExitFuzzer, EndsWithTheTargetsCodeAndNoArtifact) {
  TempDir dir;
  MakeDir(dir.path() + "/new");
  MakeDir(dir.path() + "/corpus");
  MakeDir(dir.path() + "/crashes");
  WriteFile(dir.path() + "/corpus/short", "abc");
  WriteFile(dir.path() + "/corpus/long", "0123456789abcdef");
  setenv("EXIT_FUZZER_CODE", GetParam(), 1);
  RunResult run = RunProcess(Harness("exit_fuzzer"),
                             {"-timeout=25", "-rss_limit_mb=2560", "-max_len=100",
                              "-artifact_prefix=" + dir.path() + "/crashes/",
                              "-max_total_time=10", "-print_final_stats=1", "new", "corpus"},
                             dir.path());
  unsetenv("EXIT_FUZZER_CODE");
  SHOAL_EXPECT_EXIT(run, atoi(GetParam()));
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "Base64:")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "stat::number_of_executed_units")) << run.output;
  EXPECT_TRUE(ListDir(dir.path() + "/crashes").empty());
}

INSTANTIATE_TEST_SUITE_P(Codes, ExitFuzzer, ::testing::Values("1", "77", "27"));

// Keeping going, a worker's _exit is a finding: the input that does it again in a fresh
// worker is kept (and reproduces the exit code); the run goes on.
TEST(Hostile, KeepGoingKeepsTheInputThatMakesTheTargetExit) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/long", "0123456789");
  WriteFile(dir.path() + "/corpus/short", "abc");
  setenv("EXIT_FUZZER_CODE", "27", 1);
  RunResult run = RunProcess(Harness("exit_fuzzer"),
                             {kSeed, "-keep_going=1", "-max_total_time=3", "corpus"},
                             dir.path());
  unsetenv("EXIT_FUZZER_CODE");
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> crashes = FilesStartingWith(dir.path(), "crash-");
  ASSERT_EQ(crashes.size(), 1u) << run.output;
  EXPECT_EQ(ReadFile(dir.Join(crashes[0])), "0123456789");
  EXPECT_TRUE(FindLine(run.output, R"(INFO: worker 0 \(pid \d+\) exited with code 27 on this input.*)"))
      << run.output;
  setenv("EXIT_FUZZER_CODE", "27", 1);
  RunResult again = RunProcess(Harness("exit_fuzzer"), {crashes[0]}, dir.path());
  unsetenv("EXIT_FUZZER_CODE");
  SHOAL_EXPECT_EXIT(again, 27);
}

// glibc aborts inside malloc with its lock held; the failure handler then deadlocks. The
// coordinator gives a dying worker a bounded time, kills it and keeps the input.
TEST(Hostile, HeapCorruptionThatDeadlocksTheReportStillEndsWithTheArtifact) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/seed", "HC!");
  RunResult run = RunProcess(Harness("heap_corrupt"), {kSeed, "corpus"}, dir.path());
  ASSERT_FALSE(run.timed_out) << run.output;
  EXPECT_FALSE(run.exit_code == 0) << run.output;
  std::vector<std::string> crashes = FilesStartingWith(dir.path(), "crash-");
  ASSERT_EQ(crashes.size(), 1u) << run.output;
  EXPECT_EQ(ReadFile(dir.Join(crashes[0])), "HC!");
  EXPECT_TRUE(ProcessesRunning(Harness("heap_corrupt")).empty());
}

TEST(Hostile, HeapCorruptionWithKeepGoingEndsOnTime) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/seed", "HC!");
  WriteFile(dir.path() + "/corpus/benign", "hello");  // so that the corpus is not empty
  RunResult run = RunProcess(Harness("heap_corrupt"),
                             {kSeed, "-workers=2", "-keep_going=1", "-max_total_time=5", "corpus"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> crashes = FilesStartingWith(dir.path(), "crash-");
  ASSERT_GE(crashes.size(), 1u) << run.output;
  bool seed_kept = false;
  for (const std::string& crash : crashes) seed_kept |= ReadFile(dir.Join(crash)) == "HC!";
  EXPECT_TRUE(seed_kept) << run.output;
  EXPECT_TRUE(ProcessesRunning(Harness("heap_corrupt")).empty());
}

// Garbage in the worker's pipe: the coordinator believes none of it, finds the input that
// does it again in a fresh worker, and keeps that one.
TEST(Hostile, GarbageInEveryDescriptorIsChargedToTheInputThatWritesIt) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/a", "hello");
  WriteFile(dir.path() + "/corpus/b", "FD");
  RunResult run = RunProcess(Harness("fd_scribbler"), {kSeed, "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes, "FD");
}

TEST(Hostile, GarbageWritingTargetWithKeepGoingKeepsSaneCounts) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/b", "FD");
  WriteFile(dir.path() + "/corpus/benign", "hello");
  RunResult run = RunProcess(Harness("fd_scribbler"),
                             {kSeed, "-workers=2", "-keep_going=1", "-max_total_time=4",
                              "-print_final_stats=1", "corpus"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::vector<std::string> crashes = FilesStartingWith(dir.path(), "crash-");
  ASSERT_GE(crashes.size(), 1u) << run.output;
  for (const std::string& crash : crashes)
    EXPECT_EQ(ReadFile(dir.Join(crash)).substr(0, 2), "FD") << crash;
  auto runs = FindLine(run.output, R"(stat::number_of_executed_units: (\d+))");
  ASSERT_TRUE(runs) << run.output;
  EXPECT_LT(std::stoull((*runs)[1]), 1000000000ull) << run.output;
}

// The crashing target leaves a child in its own session holding the worker's pipes: the
// death is seen by pid, reported as the crash it is, and the child does not outlive the run.
TEST(Hostile, CrashWithAChildHoldingThePipesIsACrashAndLeavesNoProcess) {
  SHOAL_ONLY();
  for (const char* keep_going : {"-keep_going=0", "-keep_going=1"}) {
    TempDir dir;
    MakeDir(dir.path() + "/corpus");
    WriteFile(dir.path() + "/corpus/seed", "FK");
    WriteFile(dir.path() + "/corpus/benign", "hello");
    RunResult run = RunProcess(Harness("fork_then_crash"),
                               {kSeed, keep_going, "-max_total_time=3", "corpus"}, dir.path());
    SHOAL_EXPECT_EXIT(run, std::string(keep_going) == "-keep_going=1" ? 0 : 77);
    EXPECT_TRUE(FilesStartingWith(dir.path(), "timeout-").empty()) << run.output;
    // Keeping going, the fuzzer may find more "FK..." inputs before the budget ends.
    std::vector<std::string> crashes = FilesStartingWith(dir.path(), "crash-");
    ASSERT_GE(crashes.size(), 1u) << keep_going << "\n" << run.output;
    bool seed_kept = false;
    for (const std::string& crash : crashes) {
      std::string bytes = ReadFile(dir.Join(crash));
      EXPECT_EQ(bytes.substr(0, 2), "FK") << crash;
      seed_kept |= bytes == "FK";
    }
    EXPECT_TRUE(seed_kept) << run.output;
    EXPECT_TRUE(ProcessesRunning(Harness("fork_then_crash")).empty()) << keep_going;
  }
}

// Sixteen unique crashes with keep-going: minimising them all would take minutes; the
// -max_total_time budget bounds the run, and every crash is kept, minimised or not.
TEST(Hostile, MinimisationOfManyCrashesStaysWithinTheBudget) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  for (char c = 'A'; c <= 'P'; c++)
    WriteFile(dir.path() + "/corpus/" + c, std::string(1, c) + "X" + std::string(200, 'z'));
  WriteFile(dir.path() + "/corpus/benign", "hello");
  RunResult run = RunProcess(Harness("many_crashes"),
                             {kSeed, "-keep_going=1", "-max_total_time=2", "corpus"}, dir.path(),
                             std::chrono::seconds(100));
  SHOAL_EXPECT_EXIT(run, 0);
  // A worker that was crashing again when the budget ran out has its input kept too, without
  // a signature to tell it a duplicate (nothing is lost); the run says so for each.
  const size_t kept_at_stop = size_t(CountLines(
      run.output, R"(INFO: a worker was reporting a failure when the run stopped; .*)"));
  EXPECT_EQ(FilesStartingWith(dir.path(), "crash-").size(), 16u + kept_at_stop) << run.output;
  size_t minimized = size_t(CountLines(run.output, R"(INFO: minimized .*)")) +
                     size_t(CountLines(run.output, R"(INFO: .* could not be minimized further)"));
  auto skipped = FindLine(run.output, R"(INFO: (\d+) unique crash\(es\) not minimized: .*)");
  size_t not_minimized = skipped ? std::stoul((*skipped)[1]) : 0;
  EXPECT_EQ(minimized + not_minimized, 16u) << run.output;
}

// 10 MB on stderr without a newline: forwarded cut, with a note, and the run goes on to its
// end (the forwarding once cost time quadratic in the line's length: minutes).
TEST(Hostile, AnOverlongStderrLineIsCutAndSaid) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/seed", "LOG");
  RunResult run = RunProcess(Harness("stderr_flood"), {kSeed, "-runs=100", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(FindLine(run.output, R"(INFO: worker 0 printed a line of 10485760 bytes; only its first 65536 are shown)"))
      << run.output.substr(run.output.size() > 4000 ? run.output.size() - 4000 : 0);
  EXPECT_TRUE(HasLine(run.output, "after the flood"));
  EXPECT_LT(run.output.size(), size_t(1) << 20);
}

// SIGKILL of the coordinator, ten times, at random moments of fuzzing into one output
// directory: never a partial or zero-length corpus file, and no worker left behind.
TEST(Hostile, KilledCoordinatorsLeaveOnlyWholeCorpusFiles) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/out");
  for (int round = 0; round < 10; round++) {
    std::string log = dir.path() + "/log";
    pid_t child = StartInBackground(Harness("branchy"),
                                    {"-seed=" + std::to_string(round + 1), "-workers=2", "out"},
                                    dir.path(), log);
    ASSERT_TRUE(WaitForOutput(log, "INITED", 60)) << ReadFile(log);
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + 70 * round));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ExpectOnlyWholeCorpusFiles(dir.path() + "/out");
  }
  EXPECT_FALSE(ListDir(dir.path() + "/out").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // PDEATHSIG is asynchronous
  EXPECT_TRUE(ProcessesRunning(Harness("branchy")).empty());
}

// Twenty SIGKILLs of workers from outside, keeping going: each is a failure with its input,
// every worker is restarted, and the corpus stays whole.
TEST(Hostile, KeepGoingSurvivesTwentyWorkerSigkills) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/out");
  std::string log = dir.path() + "/log";
  pid_t child = StartInBackground(Harness("branchy"),
                                  {kSeed, "-workers=2", "-keep_going=1", "-print_final_stats=1",
                                   "-max_total_time=60", "out"},
                                  dir.path(), log);
  ASSERT_TRUE(WaitForOutput(log, "INITED", 60)) << ReadFile(log);
  int kills = 0;
  std::set<pid_t> killed;  // each worker process once
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (kills < 20 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (pid_t worker : ChildrenOf(child)) {
      if (killed.count(worker)) continue;
      if (kill(worker, SIGKILL) == 0) kills++;
      killed.insert(worker);
      break;
    }
  }
  ASSERT_EQ(kills, 20);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the last death is handled
  kill(child, SIGUSR1);  // a graceful stop: exit 0 with the final stats
  int status = WaitOrKill(child, 60);
  std::string output = ReadFile(log);
  ASSERT_TRUE(status != -1 && WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  auto crashes = FindLine(output, R"(stat::crashes:\s+(\d+))");
  ASSERT_TRUE(crashes) << output;
  EXPECT_GE(std::stoi((*crashes)[1]), 20) << output;
  EXPECT_GE(FilesStartingWith(dir.path(), "crash-").size(), 1u);
  ExpectOnlyWholeCorpusFiles(dir.path() + "/out");
}

// Ctrl-C while a keep-going run minimises its crashes at the end: honoured at once (exit 72,
// libFuzzer's line), not after every crash had its minimisation time.
TEST(Hostile, SigintDuringMinimisationEndsTheRun) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/corpus");
  for (char c = 'A'; c <= 'P'; c++)
    WriteFile(dir.path() + "/corpus/" + c, std::string(1, c) + "X" + std::string(300, 'z'));
  WriteFile(dir.path() + "/corpus/benign", "hello");
  std::string log = dir.path() + "/log";
  // Without the input-to-state stage: its edits find the sixteen known crashes again and
  // again, and every find costs a worker restart, so 20000 runs take minutes (see
  // docs/benchmarks.md); this test is about the minimisation after the fuzzing.
  pid_t child = StartInBackground(
      Harness("many_crashes"),
      {kSeed, "-keep_going=1", "-runs=20000", "-input_to_state=0", "corpus"}, dir.path(), log);
  ASSERT_TRUE(WaitForOutput(log, "Done 20000 runs", 90)) << ReadFile(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(child, SIGINT), 0);
  // Sixteen crashes get up to 10 s of minimisation each: 160 s if the signal waited.
  int status = WaitOrKill(child, 30);
  std::string output = ReadFile(log);
  ASSERT_NE(status, -1) << "still minimising 30 s after SIGINT\n" << output;
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 72) << output;
  EXPECT_TRUE(FindLine(output, R"(==\d+== libFuzzer: run interrupted; exiting)")) << output;
  EXPECT_EQ(FilesStartingWith(dir.path(), "crash-").size(), 16u);
}

// The interleaving that once lost a corpus file, replayed exactly by a scripted worker
// (tests/fakes/scripted_worker.cc): a REDUCE makes two units hold the same bytes, then a
// REDUCE of "one of them" must not delete the file the other still uses.
TEST(Hostile, AReduceNeverDeletesAFileAnotherUnitStillUses) {
  SHOAL_ONLY();
  TempDir dir;
  MakeDir(dir.path() + "/out");
  setenv("SHOAL_WORKER_EXECUTABLE", Harness("fakes/scripted_worker").c_str(), 1);
  RunResult run = RunProcess(Harness("empty"), {kSeed, "-runs=5000", "-print_corpus_stats=1", "out"},
                             dir.path());
  unsetenv("SHOAL_WORKER_EXECUTABLE");
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_EQ(CountLines(run.output, R"(#\d+\s+REDUCE .*)"), 1) << run.output;
  std::set<std::string> files;
  for (const std::string& name : ListDir(dir.path() + "/out")) files.insert(name);
  int listed = 0;
  for (const std::string& line : Lines(run.output)) {
    auto m = FindLine(line, R"(\s*\[\s*\d+ ([0-9a-f]{40})\] sz:\s*(\d+) .*)");
    if (!m || (*m)[2] == "0" || (*m)[1] == Sha1Hex("\n")) continue;
    listed++;
    EXPECT_TRUE(files.count((*m)[1])) << "unit " << (*m)[1] << " is in the corpus but not on disk\n"
                                      << run.output;
  }
  EXPECT_EQ(listed, 2) << run.output;
  EXPECT_TRUE(files.count(Sha1Hex("XX"))) << run.output;
}

// Two workers keep finding and reducing to the same bytes; every unit of the corpus at the
// end (-print_corpus_stats lists them) must be a file in the output directory, and every
// file a unit: the evicted files kept for their inodes (CorpusFileWriter) are gone at the
// end. Seed 3 runs in-process, whose engine writes its own files.
TEST(Hostile, NoCorpusFileIsLostWhenTwoWorkersReduceToTheSameBytes) {
  SHOAL_ONLY();
  for (int seed = 1; seed <= 3; seed++) {
    TempDir dir;
    MakeDir(dir.path() + "/out");
    const std::string workers = seed == 3 ? "-workers=0" : "-workers=2";
    RunResult run = RunProcess(Harness("reduce_storm"),
                               {"-seed=" + std::to_string(seed), workers, "-max_len=12",
                                "-max_total_time=6", "-print_corpus_stats=1", "out"},
                               dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    std::set<std::string> files;
    for (const std::string& name : ListDir(dir.path() + "/out")) files.insert(name);
    std::set<std::string> units;
    for (const std::string& line : Lines(run.output)) {
      auto m = FindLine(line, R"(\s*\[\s*\d+ ([0-9a-f]{40})\] sz:\s*(\d+) .*)");
      if (!m || (*m)[2] == "0") continue;  // evicted inputs are listed with no bytes
      // The run's one seed ("\n", for an empty corpus) is not written, as in libFuzzer.
      if ((*m)[1] == Sha1Hex("\n")) continue;
      units.insert((*m)[1]);
      EXPECT_TRUE(files.count((*m)[1])) << "seed " << seed << ": unit " << (*m)[1]
                                        << " is in the corpus but not on disk";
    }
    EXPECT_GT(units.size(), 5u) << run.output;
    for (const std::string& file : files)
      EXPECT_TRUE(units.count(file)) << "seed " << seed << ": file " << file
                                     << " is on disk but not in the corpus";
  }
}

}  // namespace
}  // namespace shoal_test

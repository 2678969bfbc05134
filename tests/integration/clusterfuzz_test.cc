// What OSS-Fuzz's scripts and ClusterFuzz run and parse (../shared/reference/libfuzzer-14.md
// sections 1a, 1b, 2): their exact command lines, and their regular expressions applied to
// every line type. Runs against Shoal and, as clusterfuzz_test_libfuzzer, real libFuzzer 14.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <regex>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// Lines matching a ClusterFuzz/OSS-Fuzz pattern (std::regex_match on each line).
std::vector<std::smatch> Matching(const std::string& output, const std::string& pattern,
                                  std::vector<std::string>* storage) {
  *storage = Lines(output);
  std::vector<std::smatch> matches;
  std::regex re(pattern);
  for (const std::string& line : *storage) {
    std::smatch m;
    if (std::regex_match(line, m, re)) matches.push_back(m);
  }
  return matches;
}

void MakeDir(const std::string& path) { ASSERT_EQ(mkdir(path.c_str(), 0755), 0) << path; }

TEST(ClusterFuzz, FuzzTaskCommandAndItsParsers) {
  TempDir dir;
  MakeDir(dir.path() + "/new");
  MakeDir(dir.path() + "/corpus");
  MakeDir(dir.path() + "/crashes");
  WriteFile(dir.path() + "/corpus/seed", "HI");
  // libfuzzer.py: [.options] -timeout=25 -rss_limit_mb=2560 -max_len=R -dict=D
  //   -artifact_prefix=<dir>/ -max_total_time=T -print_final_stats=1 <new> <corpus>
  RunResult run = RunProcess(Harness("null_deref"),
                             {"-timeout=25", "-rss_limit_mb=2560", "-max_len=100",
                              "-artifact_prefix=" + dir.path() + "/crashes/", "-max_total_time=60",
                              "-print_final_stats=1", "-seed=1", "new", "corpus"},
                             dir.path());
  std::vector<std::string> lines;
  // edges_total, from the "Loaded" lines.
  auto loaded = Matching(
      run.output, R"(^INFO:\s+Loaded\s+\d+\s+(modules|PC tables)\s+\((\d+)\s+.*\).*)", &lines);
  ASSERT_EQ(loaded.size(), 2u) << run.output;
  EXPECT_GT(std::stoi(loaded[0][2].str()), 0);
  EXPECT_EQ(
      Matching(run.output, R"(INFO:\s+seed corpus:\s+files:\s+(\d+).*rss:\s+(\d+)Mb.*)", &lines)
          .size(),
      1u)
      << run.output;
  // Engine log lines and the start marker.
  EXPECT_GE(
      Matching(run.output, R"(^#\d+[\s]*(READ|INITED|NEW|pulse|REDUCE|RELOAD|DONE|:)\s.*)", &lines)
          .size(),
      2u);
  EXPECT_EQ(
      Matching(run.output,
               R"((#\d+\s+INITED\s+|INFO:\s+-fork=\d+:\s+fuzzing in separate process).*)", &lines)
          .size(),
      1u);
  // The crash: path from "Test unit written to", stats with digits only.
  auto units =
      Matching(run.output, R"(.*Test unit written to\s*(.*(crash|oom|timeout|leak)-.*))", &lines);
  ASSERT_EQ(units.size(), 1u) << run.output;
  std::string path = units[0][1].str();
  EXPECT_TRUE(FileExists(path)) << path;
  EXPECT_EQ(ReadFile(path).substr(0, 3), "HI!");
  auto stats = Matching(run.output, R"(stat::([A-Za-z_]+):\s*([^\s]+))", &lines);
  ASSERT_GE(stats.size(), 5u) << run.output;
  for (const auto& stat : stats)
    EXPECT_TRUE(std::regex_match(stat[2].str(), std::regex(R"(\d+)"))) << stat[0].str();
  // Any-crash marker and the exit code (ASan's, as ClusterFuzz sees it without exitcode=77).
  EXPECT_TRUE(FindLine(run.output, R"(.*ERROR: (libFuzzer|.*Sanitizer):.*)")) << run.output;
  SHOAL_EXPECT_EXIT(run, 1);
}

// The fuzz task with ClusterFuzz's fork strategy (-fork=<cpu count>; 2 here). libFuzzer runs
// the target in child processes and prints the crashing child's log; Shoal runs its workers.
// Both print fork mode's start line once, and the crash is found by the same regexes.
TEST(ClusterFuzz, FuzzTaskWithTheForkStrategy) {
  TempDir dir;
  MakeDir(dir.path() + "/new");
  MakeDir(dir.path() + "/corpus");
  MakeDir(dir.path() + "/crashes");
  WriteFile(dir.path() + "/corpus/seed", "HI");
  RunResult run = RunProcess(Harness("null_deref"),
                             {"-timeout=25", "-rss_limit_mb=2560", "-fork=2",
                              "-artifact_prefix=" + dir.path() + "/crashes/", "-max_total_time=60",
                              "-print_final_stats=1", "-seed=1", "new", "corpus"},
                             dir.path());
  EXPECT_EQ(CountLines(run.output, R"(INFO: -fork=2: fuzzing in separate process\(s\))"), 1)
      << run.output;
  std::vector<std::string> lines;
  EXPECT_GE(
      Matching(run.output,
               R"((#\d+\s+INITED\s+|INFO:\s+-fork=\d+:\s+fuzzing in separate process).*)", &lines)
          .size(),
      1u)
      << run.output;
  auto units =
      Matching(run.output, R"(.*Test unit written to\s*(.*(crash|oom|timeout|leak)-.*))", &lines);
  // Two fork children (Shoal's workers) that crash in the same moment each announce their
  // artifact; every one ClusterFuzz may pick is a reproducer.
  ASSERT_GE(units.size(), 1u) << run.output;
  for (const auto& unit : units) {
    EXPECT_EQ(unit[2].str(), "crash");
    std::string path = unit[1].str();
    EXPECT_TRUE(FileExists(path)) << path;
    EXPECT_EQ(ReadFile(path).substr(0, 3), "HI!");
  }
  EXPECT_TRUE(FindLine(run.output, R"(.*ERROR: (libFuzzer|.*Sanitizer):.*)")) << run.output;
  SHOAL_EXPECT_EXIT(run, 1);
}

TEST(ClusterFuzz, CrashTypesMatchStacktraceRegexes) {
  struct Case {
    const char* harness;
    std::vector<std::string> flags;
    const char* pattern;
    const char* kind;
  };
  const std::vector<Case> cases = {
      {"abort_prefix", {}, R"(.*ERROR:\s*libFuzzer:\s*deadly signal)", "crash"},
      {"exit_target", {}, R"(.*ERROR:\s*libFuzzer:\s*fuzz target exited)", "crash"},
      {"overwrite_const",
       {},
       R"(.*ERROR:\s*libFuzzer:\s*fuzz target overwrites its const input)",
       "crash"},
      {"timeout", {"-timeout=1"}, R"(.*ERROR:\s*libFuzzer:\s*timeout.*)", "timeout"},
      {"malloc_limit", {"-malloc_limit_mb=300"}, R"(.*libFuzzer: out-of-memory \(.*)", "oom"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    std::vector<std::string> args = {"-seed=1", "-runs=2000000"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    RunResult run = RunProcess(Harness(c.harness), args, dir.path());
    EXPECT_TRUE(FindLine(run.output, c.pattern)) << c.harness << "\n" << run.output;
    std::vector<std::string> lines;
    auto units =
        Matching(run.output, R"(.*Test unit written to\s*(.*(crash|oom|timeout|leak)-.*))", &lines);
    ASSERT_EQ(units.size(), 1u) << c.harness << "\n" << run.output;
    EXPECT_EQ(units[0][2].str(), c.kind) << c.harness;
  }
}

TEST(ClusterFuzz, ReproduceAndBadBuildCheck) {
  TempDir dir;
  WriteFile(dir.path() + "/testcase", "HI!");
  WriteFile(dir.path() + "/benign", "hello");
  // libfuzzer.py reproduce: -timeout=<T-5> -runs=100 <testcase>
  RunResult crash =
      RunProcess(Harness("null_deref"), {"-timeout=20", "-runs=100", "testcase"}, dir.path());
  SHOAL_EXPECT_EXIT(crash, 1);
  EXPECT_TRUE(HasLineContaining(crash.output, "ERROR: AddressSanitizer: SEGV")) << crash.output;
  RunResult benign =
      RunProcess(Harness("null_deref"), {"-timeout=20", "-runs=100", "benign"}, dir.path());
  SHOAL_EXPECT_EXIT(benign, 0);
  // OSS-Fuzz bad_build_check: "$FUZZER -seed=1337 -runs=4" must print "Done 4 runs", not the
  // instrumentation error, and report a sane edge count.
  RunResult check = RunProcess(Harness("branchy"), {"-seed=1337", "-runs=4"}, dir.path());
  SHOAL_EXPECT_EXIT(check, 0);
  EXPECT_TRUE(FindLine(check.output, R"(Done 4 runs in \d+ second\(s\))")) << check.output;
  EXPECT_FALSE(HasLineContaining(
      check.output, "ERROR: no interesting inputs were found. Is the code instrumented"));
  std::vector<std::string> lines;
  auto edges = Matching(
      check.output,
      R"(INFO: Loaded [[:digit:]]+ module.*\(.*(counters|guards)\):[[:space:]]+([[:digit:]]+).*)",
      &lines);
  ASSERT_EQ(edges.size(), 1u) << check.output;
  EXPECT_GT(std::stoi(edges[0][2].str()), 0);
}

TEST(ClusterFuzz, TwoStepMergeWithAControlFile) {
  TempDir dir;
  for (const char* sub : {"out", "corpus", "new", "bad"}) MakeDir(dir.path() + "/" + sub);
  WriteFile(dir.path() + "/corpus/a", "Fxxxxx");
  WriteFile(dir.path() + "/new/b", "xUxxxx");
  WriteFile(dir.path() + "/new/c", "xxZxxx");
  const std::string merge_re =
      R"(MERGE-OUTER:\s+\d+\s+new files with\s+(\d+)\s+new features added;\s+(\d+)\s+new coverage edges.*)";
  std::vector<std::string> lines;
  RunResult first =
      RunProcess(Harness("full_coverage_set"),
                 {"-merge=1", "-timeout=25", "-rss_limit_mb=2560", "-artifact_prefix=bad/",
                  "-merge_control_file=mcf", "out", "corpus"},
                 dir.path());
  SHOAL_EXPECT_EXIT(first, 0);
  EXPECT_EQ(Matching(first.output, merge_re, &lines).size(), 1u) << first.output;
  RunResult second =
      RunProcess(Harness("full_coverage_set"),
                 {"-merge=1", "-timeout=25", "-rss_limit_mb=2560", "-artifact_prefix=bad/",
                  "-merge_control_file=mcf", "out", "corpus", "new"},
                 dir.path());
  SHOAL_EXPECT_EXIT(second, 0);
  auto summary = Matching(second.output, merge_re, &lines);
  ASSERT_EQ(summary.size(), 1u) << second.output;
  EXPECT_GT(std::stoi(summary[0][1].str()), 0);
  EXPECT_EQ(ListDir(dir.path() + "/out").size(), 3u) << second.output;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Empties a dir, as engine_common.recreate_directory does between the two merge steps.
void EmptyDir(const std::string& path) {
  for (const std::string& name : ListDir(path))
    ASSERT_EQ(unlink((path + "/" + name).c_str()), 0) << path << "/" << name;
}

TEST(ClusterFuzz, MergeReductionsKeepTheSmallerUnit) {
  // engine_test.py test_merge_reductions: a fuzzing run with -runs=10 into new/, then
  // _merge_new_units finds the 5-byte "APPLE" in new/ and the 6-byte "APPLEO" (same features)
  // in the corpus. Step 1 merges the corpus alone into an empty merge dir; the dir is emptied;
  // step 2 reuses the control file and adds new/. libFuzzer's second step starts a fresh
  // control file for the inputs the first did not process, and keeps "APPLE".
  TempDir dir;
  for (const char* sub : {"new", "corpus", "crashes", "merge", "mcf"})
    MakeDir(dir.path() + "/" + sub);
  const std::vector<std::string> options = {"-timeout=25", "-rss_limit_mb=2560"};
  std::vector<std::string> fuzz = options;
  fuzz.insert(fuzz.end(), {"-runs=10", kSeed, "-artifact_prefix=" + dir.path() + "/crashes/",
                           "-max_total_time=5", "-print_final_stats=1", "new", "corpus"});
  RunResult fuzzed = RunProcess(Harness("food_words"), fuzz, dir.path());
  SHOAL_EXPECT_EXIT(fuzzed, 0);
  const std::string small = "APPLE", large = "APPLEO";
  WriteFile(dir.path() + "/new/" + Sha1Hex(small), small);
  WriteFile(dir.path() + "/corpus/" + Sha1Hex(large), large);
  const size_t num_new = ListDir(dir.path() + "/new").size();

  // libfuzzer.py merge: [stripped fuzz args] -merge=1 -merge_control_file=MCF <merge> <dirs>
  std::vector<std::string> merge = options;
  merge.insert(merge.end(),
               {"-merge=1", "-merge_control_file=" + dir.path() + "/mcf/MCF", "merge", "corpus"});
  const std::string stats_re =
      R"(MERGE-OUTER:\s+\d+\s+new files with\s+(\d+)\s+new features added;\s+(\d+)\s+new coverage edges.*)";
  std::vector<std::string> lines;
  RunResult first = RunProcess(Harness("food_words"), merge, dir.path());
  SHOAL_EXPECT_EXIT(first, 0);
  EXPECT_TRUE(
      HasLine(first.output, "MERGE-OUTER: 1 files, 0 in the initial corpus, 0 processed earlier"))
      << first.output;
  auto first_stats = Matching(first.output, stats_re, &lines);
  ASSERT_EQ(first_stats.size(), 1u) << first.output;
  const int initial_features = std::stoi(first_stats[0][1].str());
  const int initial_edges = std::stoi(first_stats[0][2].str());
  EXPECT_EQ(ListDir(dir.path() + "/merge"), std::vector<std::string>{Sha1Hex(large)});
  EmptyDir(dir.path() + "/merge");

  merge.push_back("new");
  RunResult second = RunProcess(Harness("food_words"), merge, dir.path());
  SHOAL_EXPECT_EXIT(second, 0);
  const std::string n = std::to_string(num_new);
  ExpectLinesInOrder(
      second.output,
      {R"(MERGE-OUTER: control file ok, 1 files total, first not processed file 1)",
       R"(MERGE-OUTER: starting merge from scratch, but reusing coverage information from the given control file)",
       "MERGE-OUTER: " + std::to_string(num_new + 1) +
           " files, 0 in the initial corpus, 1 processed earlier",
       "MERGE-INNER: " + n + " total files; 0 processed earlier; will process " + n +
           " files now"});
  // The two-step stats ClusterFuzz derives must not go negative ("Two step merge failed").
  auto second_stats = Matching(second.output, stats_re, &lines);
  ASSERT_EQ(second_stats.size(), 1u) << second.output;
  EXPECT_GE(std::stoi(second_stats[0][1].str()), initial_features) << second.output;
  EXPECT_GE(std::stoi(second_stats[0][2].str()), initial_edges) << second.output;
  // The smaller unit is kept; the larger one, with no feature of its own, is not added.
  std::vector<std::string> merged = ListDir(dir.path() + "/merge");
  EXPECT_TRUE(Contains(merged, Sha1Hex(small))) << "APPLE not kept\n" << second.output;
  EXPECT_FALSE(Contains(merged, Sha1Hex(large))) << "APPLEO added\n" << second.output;
  for (const std::string& name : merged)
    EXPECT_EQ(Sha1Hex(ReadFile(dir.path() + "/merge/" + name)), name);

  // engine_common.move_mergeable_units(merge, corpus): the corpus then has both units.
  for (const std::string& name : merged)
    if (!FileExists(dir.path() + "/corpus/" + name))
      ASSERT_EQ(
          rename((dir.path() + "/merge/" + name).c_str(), (dir.path() + "/corpus/" + name).c_str()),
          0);
  std::vector<std::string> corpus = ListDir(dir.path() + "/corpus");
  EXPECT_TRUE(Contains(corpus, Sha1Hex(small)));
  EXPECT_TRUE(Contains(corpus, Sha1Hex(large)));
}

// What engine.cleanse runs: [args] -cleanse_crash=1 -exact_artifact_path=<out>
// -artifact_prefix=<tmp>/ <testcase>, with the fuzz task's -timeout and -rss_limit_mb.
RunResult Cleanse(const TempDir& dir, const std::string& testcase) {
  MakeDir(dir.path() + "/tmp");
  return RunProcess(
      Harness("cleanse"),
      {"-timeout=25", "-rss_limit_mb=2560", "-cleanse_crash=1",
       "-exact_artifact_path=" + dir.path() + "/cleansed", "-artifact_prefix=tmp/", testcase},
      dir.path());
}

// libFuzzer runs each candidate in a child whose output goes to /dev/null: what a cleanse
// prints is its banner and CLEANSE lines, and no crash report however many candidates crash.
void ExpectOnlyCleanseLines(const RunResult& run) {
  const std::regex cleanse(
      R"(CLEANSE\[\d\]: Trying to replace byte \d+ of \d+|CLEANSE: Replaced byte \d+ with 0x(20|ff))");
  for (const std::string& line : Lines(run.output)) {
    if (line.rfind("INFO: ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, cleanse)) << "unexpected line: " << line;
  }
  for (const char* report :
       {"Sanitizer", "DEADLYSIGNAL", "SUMMARY:", "ERROR:", "Test unit written", "Base64:", "MS: "})
    EXPECT_FALSE(HasLineContaining(run.output, report)) << report << "\n" << run.output;
}

TEST(ClusterFuzz, CleanseTaskPrintsNoCrashReports) {
  TempDir dir;
  WriteFile(dir.path() + "/testcase", "0123456789ABCDEFGHIZ");
  RunResult run = Cleanse(dir, "testcase");
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectOnlyCleanseLines(run);
  // Two passes over all 20 bytes (the second changes nothing); 16 bytes replaced.
  EXPECT_EQ(CountLines(run.output, R"(CLEANSE\[0\]: Trying to replace byte \d+ of 20)"), 20);
  EXPECT_EQ(CountLines(run.output, R"(CLEANSE\[1\]: Trying to replace byte \d+ of 20)"), 20);
  EXPECT_EQ(CountLines(run.output, R"(CLEANSE: Replaced byte \d+ with 0x20)"), 16);
  EXPECT_EQ(ReadFile(dir.path() + "/cleansed"), " 1   5    A        Z");
  EXPECT_TRUE(ListDir(dir.path() + "/tmp").empty());  // no artifacts from the candidates
}

TEST(ClusterFuzz, CleanseOfAnInputThatNoLongerCrashesChangesNothing) {
  TempDir dir;
  WriteFile(dir.path() + "/testcase", "0123456789ABCDEFGHIJ");
  RunResult run = Cleanse(dir, "testcase");
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectOnlyCleanseLines(run);
  EXPECT_EQ(CountLines(run.output, R"(CLEANSE\[0\]: Trying to replace byte \d+ of 20)"), 20);
  EXPECT_EQ(CountLines(run.output, R"(CLEANSE: Replaced.*)"), 0);
  EXPECT_FALSE(FileExists(dir.path() + "/cleansed"));
}

TEST(ClusterFuzz, CoverageBuildMergeWorksWithoutInstrumentation) {
  // OSS-Fuzz's coverage script merges with a binary built without SanitizerCoverage.
  TempDir dir;
  MakeDir(dir.path() + "/empty");
  MakeDir(dir.path() + "/corpus");
  WriteFile(dir.path() + "/corpus/a", "abc");
  RunResult run = RunProcess(Harness("not_instrumented"),
                             {"-merge=1", "-timeout=100", "empty", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
}

TEST(ClusterFuzz, BinaryHasTheStringsClusterFuzzProbesFor) {
  std::string binary = ReadFile(Harness("empty"));
  EXPECT_NE(binary.find("fuzz target overwrites its const input"), std::string::npos);
  EXPECT_NE(binary.find("LLVMFuzzerTestOneInput"), std::string::npos);
}

TEST(ClusterFuzz, DictionaryLines) {
  TempDir dir;
  WriteFile(dir.path() + "/good.dict", "a=\"ab\"\n\"cd\"\n");
  WriteFile(dir.path() + "/bad.dict", "a=\"ab\"\nnot an entry\n");
  RunResult good = RunProcess(Harness("empty"), {"-dict=good.dict", "-runs=10"}, dir.path());
  SHOAL_EXPECT_EXIT(good, 0);
  EXPECT_TRUE(FindLine(good.output, R"(Dictionary: \d+ entries)")) << good.output;
  RunResult bad = RunProcess(Harness("empty"), {"-dict=bad.dict", "-runs=10"}, dir.path());
  SHOAL_EXPECT_EXIT(bad, 1);
  auto line = FindLine(bad.output, R"(ParseDictionaryFile: error in line (\d+))");
  ASSERT_TRUE(line) << bad.output;
  EXPECT_EQ((*line)[1], "2");
}

}  // namespace
}  // namespace shoal_test

// -merge=1 as libFuzzer 14 does it: MERGE-OUTER lines, only inputs adding features copied
// into the first dir under their SHA-1, crash resistance, and the control file. Runs against
// Shoal and, as merge_test_libfuzzer, against real libFuzzer 14 with the same assertions.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// Inputs of full_coverage_set: each matches "FUZZER" at different positions.
void MakeCorpus(const TempDir& dir, const std::string& name,
                const std::vector<std::string>& inputs) {
  std::string path = dir.path() + "/" + name;
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0) << path;
  for (size_t i = 0; i < inputs.size(); i++) WriteFile(path + "/" + std::to_string(i), inputs[i]);
}

// The lines of a merge that accepted a control file of `total` inputs, the first `done` of
// them processed by an earlier run.
void ExpectResumed(const RunResult& run, size_t total, size_t done) {
  const std::string n = std::to_string(total), k = std::to_string(done);
  EXPECT_TRUE(HasLine(run.output, "MERGE-OUTER: control file ok, " + n +
                                      " files total, first not processed file " + k))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, "MERGE-INNER: " + n + " total files; " + k +
                                      " processed earlier; will process " +
                                      std::to_string(total - done) + " files now"))
      << run.output;
}

TEST(Merge, KeepsOnlyInputsThatAddFeaturesNamedBySha1) {
  TempDir dir;
  MakeCorpus(dir, "out", {});
  // All inputs are 6 bytes (the harness's branches also depend on the size). "Fxxxxx" and
  // "Fyyyyy" reach the same features: only the first is kept. "xUxxxx" and "xxZxxx" add one
  // branch each; "xxxxxx" adds nothing the others lack.
  MakeCorpus(dir, "in", {"Fxxxxx", "Fyyyyy", "xUxxxx", "xxZxxx", "xxxxxx"});
  RunResult run = RunProcess(Harness("full_coverage_set"), {"-merge=1", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(
      HasLine(run.output, "MERGE-OUTER: 5 files, 0 in the initial corpus, 0 processed earlier"))
      << run.output;
  auto summary = FindLine(
      run.output,
      R"(MERGE-OUTER: (\d+) new files with (\d+) new features added; (\d+) new coverage edges)");
  ASSERT_TRUE(summary) << run.output;
  std::vector<std::string> kept = ListDir(dir.path() + "/out");
  EXPECT_EQ((*summary)[1], std::to_string(kept.size()));
  std::vector<std::string> contents;
  for (const std::string& name : kept) {
    std::string bytes = ReadFile(dir.path() + "/out/" + name);
    EXPECT_EQ(name, Sha1Hex(bytes));
    contents.push_back(bytes);
  }
  std::sort(contents.begin(), contents.end());
  EXPECT_EQ(contents, (std::vector<std::string>{"Fxxxxx", "xUxxxx", "xxZxxx"})) << run.output;

  // Merging again adds nothing: everything is in the initial corpus now.
  RunResult again = RunProcess(Harness("full_coverage_set"), {"-merge=1", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(again, 0);
  EXPECT_TRUE(FindLine(again.output, R"(MERGE-OUTER: \d+ files, )" + std::to_string(kept.size()) +
                                         R"( in the initial corpus, 0 processed earlier)"))
      << again.output;
  EXPECT_TRUE(
      FindLine(again.output,
               R"(MERGE-OUTER: 0 new files with 0 new features added; \d+ new coverage edges)"))
      << again.output;
}

TEST(Merge, SurvivesACrashingInput) {
  TempDir dir;
  MakeCorpus(dir, "out", {});
  MakeCorpus(dir, "in", {"Fxxxxx", "FUZZER", "xUxxxx"});
  RunResult run = RunProcess(Harness("full_coverage_set"), {"-merge=1", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "BINGO")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "MERGE-OUTER: successful in 2 attempt(s)")) << run.output;
  EXPECT_TRUE(
      FindLine(run.output,
               R"(MERGE-OUTER: 2 new files with \d+ new features added; \d+ new coverage edges)"))
      << run.output;
  std::vector<std::string> kept = ListDir(dir.path() + "/out");
  ASSERT_EQ(kept.size(), 2u);
  for (const std::string& name : kept) EXPECT_NE(ReadFile(dir.path() + "/out/" + name), "FUZZER");
}

// Without -merge_control_file, both engines keep the control file in $TMPDIR, and libFuzzer
// names it by pid alone. The runner gives every child this test process's own TMPDIR, so
// suites running at once (each in its own pid namespace over one /tmp) never share one.
TEST(Merge, ATemporaryControlFileIsInTheTestsOwnTmpDirAndRemovedAfterwards) {
  TempDir dir;
  MakeCorpus(dir, "out", {});
  MakeCorpus(dir, "in", {"Fxxxxx", "xUxxxx"});
  RunResult run = RunProcess(Harness("full_coverage_set"), {"-merge=1", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  auto used = FindLine(run.output, R"(MERGE-INNER: using the control file '(.*)')");
  ASSERT_TRUE(used) << run.output;
  const std::string control_file = (*used)[1];
  EXPECT_EQ(control_file.rfind(ChildTmpDir() + "/libFuzzerTemp.Merge", 0), 0u)
      << control_file << " is not in " << ChildTmpDir();
  if (const char* test_tmpdir = getenv("TEST_TMPDIR"))
    EXPECT_EQ(ChildTmpDir().rfind(test_tmpdir, 0), 0u) << ChildTmpDir();
  EXPECT_FALSE(FileExists(control_file));
  EXPECT_EQ(ListDir(dir.path() + "/out").size(), 2u);
}

TEST(Merge, WritesAResumableControlFile) {
  TempDir dir;
  MakeCorpus(dir, "out", {});
  MakeCorpus(dir, "in", {"F", "xU"});
  RunResult run = RunProcess(Harness("full_coverage_set"),
                             {"-merge=1", "-merge_control_file=mcf", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "MERGE-INNER: using the control file 'mcf'")) << run.output;
  std::string mcf = ReadFile(dir.path() + "/mcf");
  std::vector<std::string> lines = Lines(mcf);
  ASSERT_GE(lines.size(), 4u) << mcf;
  EXPECT_EQ(lines[0], "2");
  EXPECT_EQ(lines[1], "0");
  EXPECT_EQ(CountLines(mcf, R"(STARTED \d \d+)"), 2) << mcf;
  EXPECT_EQ(CountLines(mcf, R"(FT \d( \d+)+)"), 2) << mcf;

  // A control file that says input 0 was started but never finished (it crashed), and
  // nothing about input 1: the merge resumes with input 1 only.
  TempDir resume;
  MakeCorpus(resume, "out", {});
  MakeCorpus(resume, "in", {"F", "xU"});
  WriteFile(resume.path() + "/mcf", "2\n0\nin/0\nin/1\nSTARTED 0 1\n");
  RunResult resumed =
      RunProcess(Harness("full_coverage_set"), {"-merge=1", "-merge_control_file=mcf", "out", "in"},
                 resume.path());
  SHOAL_EXPECT_EXIT(resumed, 0);
  ExpectResumed(resumed, 2, 1);
  EXPECT_TRUE(
      FindLine(resumed.output,
               R"(MERGE-OUTER: 1 new files with \d+ new features added; \d+ new coverage edges)"))
      << resumed.output;
  std::vector<std::string> kept = ListDir(resume.path() + "/out");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(ReadFile(resume.path() + "/out/" + kept[0]), "xU");
}

TEST(Merge, ControlFileListsEachCorpusSmallestFirstAndEachFeatureOnce) {
  TempDir dir;
  MakeCorpus(dir, "out", {"FUxxx", "x"});
  // Name order is not size order; "Fxxxxx" and "FUZ" overlap in "F".
  MakeCorpus(dir, "in", {"Fxxxxx", "xU", "FUZ", "Z"});
  RunResult run = RunProcess(Harness("full_coverage_set"),
                             {"-merge=1", "-merge_control_file=mcf", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  std::string mcf = ReadFile(dir.path() + "/mcf");
  std::vector<std::string> lines = Lines(mcf);
  ASSERT_GE(lines.size(), 8u) << mcf;
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 8),
            (std::vector<std::string>{"6", "2", "out/1", "out/0", "in/3", "in/1", "in/2", "in/0"}))
      << mcf;
  // Each FT line lists only the features no earlier input had: no feature twice.
  std::set<std::string> seen;
  int ft_lines = 0;
  for (const std::string& line : lines) {
    if (line.compare(0, 3, "FT ") != 0) continue;
    ft_lines++;
    std::vector<std::string> words;
    for (size_t start = 0, end; start < line.size(); start = end + 1) {
      end = line.find(' ', start);
      if (end == std::string::npos) end = line.size();
      words.push_back(line.substr(start, end - start));
    }
    for (size_t i = 2; i < words.size(); i++)
      EXPECT_TRUE(seen.insert(words[i]).second) << "feature " << words[i] << " twice:\n" << mcf;
  }
  EXPECT_EQ(ft_lines, 6) << mcf;
}

TEST(Merge, ResumesAMergeTheOtherEngineStarted) {
  // Same format and content: either engine picks up a merge the other one was killed in,
  // in that file's order (libFuzzer lists equal-sized files in directory order, Shoal by
  // name). The harness makes no calls deeper than its entry, so both engines number its
  // features alike.
  TempDir dir;
  MakeCorpus(dir, "out", {});
  MakeCorpus(dir, "in", {"Fxxxxx", "xUxxxx", "xxZxxx", "Fyyyyy", "xxxZxx"});
  const std::vector<std::string> args = {"-merge=1", "-merge_control_file=mcf", "out", "in"};
  RunResult first = RunProcess(OtherEngineHarness("full_coverage_set"), args, dir.path());
  SHOAL_EXPECT_EXIT(first, 0);
  // Keep the header and the records of the first two inputs, as if it had been killed then.
  std::vector<std::string> lines = Lines(ReadFile(dir.path() + "/mcf"));
  ASSERT_GE(lines.size(), 2u + 5u + 2u * 3u);
  EXPECT_EQ(lines[7], "STARTED 0 6");
  EXPECT_EQ(lines[10], "STARTED 1 6");
  std::string cut;
  for (size_t i = 0; i < 2 + 5 + 2 * 3; i++) cut += lines[i] + "\n";
  WriteFile(dir.path() + "/mcf", cut);
  for (const std::string& name : ListDir(dir.path() + "/out"))
    ASSERT_EQ(unlink((dir.path() + "/out/" + name).c_str()), 0);

  RunResult resumed = RunProcess(Harness("full_coverage_set"), args, dir.path());
  SHOAL_EXPECT_EXIT(resumed, 0);
  ExpectResumed(resumed, 5, 2);
  std::vector<std::string> contents;
  for (const std::string& name : ListDir(dir.path() + "/out"))
    contents.push_back(ReadFile(dir.path() + "/out/" + name));
  std::sort(contents.begin(), contents.end());
  // One of the twins, whichever the file's order ran first, and the three others.
  ASSERT_EQ(contents.size(), 4u) << first.output << resumed.output;
  EXPECT_TRUE(contents[0] == "Fxxxxx" || contents[0] == "Fyyyyy") << contents[0];
  EXPECT_EQ(std::vector<std::string>(contents.begin() + 1, contents.end()),
            (std::vector<std::string>{"xUxxxx", "xxZxxx", "xxxZxx"}));
}

TEST(Merge, SetCoverMergeKeepsOneInputPerDistinctFeatureSet) {
  // "Fxxxxx" and "Fyyyyy" reach the same features; "xUxxxx" others. The greedy set cover
  // keeps "xUxxxx" and one of the two twins.
  TempDir dir;
  MakeCorpus(dir, "cover", {});
  MakeCorpus(dir, "in", {"Fxxxxx", "Fyyyyy", "xUxxxx"});
  RunResult cover =
      RunProcess(Harness("full_coverage_set"), {"-set_cover_merge=1", "cover", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(cover, 0);
  EXPECT_TRUE(
      FindLine(cover.output,
               R"(MERGE-OUTER: 2 new files with \d+ new features added; \d+ new coverage edges)"))
      << cover.output;
  std::vector<std::string> contents;
  for (const std::string& name : ListDir(dir.path() + "/cover"))
    contents.push_back(ReadFile(dir.path() + "/cover/" + name));
  std::sort(contents.begin(), contents.end());
  ASSERT_EQ(contents.size(), 2u) << cover.output;
  EXPECT_TRUE(contents[0] == "Fxxxxx" || contents[0] == "Fyyyyy") << contents[0];
  EXPECT_EQ(contents[1], "xUxxxx");
}

TEST(Merge, AControlFileWithAnAbsurdCountIsOverwritten) {
  // 2^28 and 1e8 files, and a count that does not fit 64 bits: libFuzzer calls each a bad
  // control file and starts afresh; it must never be allocated for, or thrown on.
  for (const char* count : {"268435456", "100000000", "99999999999999999999"}) {
    TempDir dir;
    MakeCorpus(dir, "out", {});
    MakeCorpus(dir, "in", {"Fxxxxx", "xUxxxx"});
    WriteFile(dir.path() + "/mcf", std::string(count) + "\n0\nin/0\nSTARTED 0 6\n");
    RunResult run = RunProcess(Harness("full_coverage_set"),
                               {"-merge=1", "-merge_control_file=mcf", "out", "in"}, dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    ExpectLinesInOrder(
        run.output,
        {R"(MERGE-OUTER: non-empty control file provided: 'mcf')",
         R"(MERGE-OUTER: bad control file, will overwrite it.*)",
         R"(MERGE-OUTER: 2 files, 0 in the initial corpus, 0 processed earlier)",
         R"(MERGE-INNER: 2 total files; 0 processed earlier; will process 2 files now)",
         R"(MERGE-OUTER: 2 new files with \d+ new features added; \d+ new coverage edges)"});
    std::vector<std::string> lines = Lines(ReadFile(dir.path() + "/mcf"));
    ASSERT_GE(lines.size(), 2u) << count;
    EXPECT_EQ(lines[0], "2") << count;
    EXPECT_EQ(ListDir(dir.path() + "/out").size(), 2u) << count << "\n" << run.output;
  }
}

TEST(Merge, AFinishedControlFileForOtherInputsStartsAFreshOneAndReusesItsRecords) {
  // ClusterFuzz's two-step merge in small: step 1 merges a 7-byte input, step 2 adds a
  // 6-byte one with the same features ("F" then five/six non-matching bytes). The finished
  // control file lists another number of inputs, so a fresh one lists only the input step 1
  // did not run; step 1's record still takes part, and the smaller input wins.
  TempDir dir;
  MakeCorpus(dir, "out", {});
  MakeCorpus(dir, "old", {"Fxxxxxx"});
  MakeCorpus(dir, "new", {"Fyyyyy"});
  RunResult first = RunProcess(Harness("full_coverage_set"),
                               {"-merge=1", "-merge_control_file=mcf", "out", "old"}, dir.path());
  SHOAL_EXPECT_EXIT(first, 0);
  for (const std::string& name : ListDir(dir.path() + "/out"))
    ASSERT_EQ(unlink((dir.path() + "/out/" + name).c_str()), 0);

  RunResult second =
      RunProcess(Harness("full_coverage_set"),
                 {"-merge=1", "-merge_control_file=mcf", "out", "old", "new"}, dir.path());
  SHOAL_EXPECT_EXIT(second, 0);
  ExpectLinesInOrder(
      second.output,
      {R"(MERGE-OUTER: non-empty control file provided: 'mcf')",
       R"(MERGE-OUTER: control file ok, 1 files total, first not processed file 1)",
       R"(MERGE-OUTER: starting merge from scratch, but reusing coverage information from the given control file)",
       R"(MERGE-OUTER: 2 files, 0 in the initial corpus, 1 processed earlier)",
       R"(MERGE-OUTER: attempt 1)",
       R"(MERGE-INNER: 1 total files; 0 processed earlier; will process 1 files now)",
       R"(MERGE-OUTER: 1 new files with \d+ new features added; \d+ new coverage edges)"});
  EXPECT_FALSE(HasLineContaining(second.output, "nothing to do")) << second.output;
  // The fresh control file: only the new input, with all its features.
  std::vector<std::string> lines = Lines(ReadFile(dir.path() + "/mcf"));
  ASSERT_EQ(lines.size(), 6u) << ReadFile(dir.path() + "/mcf");
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 4),
            (std::vector<std::string>{"1", "0", "new/0", "STARTED 0 6"}));
  EXPECT_EQ(lines[4].rfind("FT 0 ", 0), 0u) << lines[4];
  std::vector<std::string> kept = ListDir(dir.path() + "/out");
  ASSERT_EQ(kept.size(), 1u) << second.output;
  EXPECT_EQ(ReadFile(dir.path() + "/out/" + kept[0]), "Fyyyyy");
}

TEST(Merge, AFinishedControlFileForTheSameInputsHasNothingToRun) {
  TempDir dir;
  MakeCorpus(dir, "out", {"FUZxxx"});
  MakeCorpus(dir, "in", {"xxxZxx"});
  const std::vector<std::string> args = {"-merge=1", "-merge_control_file=mcf", "out", "in"};
  RunResult first = RunProcess(Harness("full_coverage_set"), args, dir.path());
  SHOAL_EXPECT_EXIT(first, 0);
  // The input added to out/ changes the count; take it out again to rerun the same merge.
  for (const std::string& name : ListDir(dir.path() + "/out"))
    if (ReadFile(dir.path() + "/out/" + name) == "xxxZxx")
      ASSERT_EQ(unlink((dir.path() + "/out/" + name).c_str()), 0);
  RunResult again = RunProcess(Harness("full_coverage_set"), args, dir.path());
  SHOAL_EXPECT_EXIT(again, 0);
  ExpectLinesInOrder(again.output,
                     {R"(MERGE-OUTER: control file ok, 2 files total, first not processed file 2)",
                      R"(MERGE-OUTER: nothing to do, merge has been completed before)"});
  EXPECT_FALSE(HasLineContaining(again.output, "MERGE-INNER")) << again.output;
}

TEST(Merge, NeedsTwoDirs) {
  TempDir dir;
  MakeCorpus(dir, "out", {});
  RunResult run = RunProcess(Harness("full_coverage_set"), {"-merge=1", "out"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(HasLine(run.output, "INFO: Merge requires two or more corpus dirs")) << run.output;
}

}  // namespace
}  // namespace shoal_test

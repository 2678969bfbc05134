// Integration tests of campaign telemetry (Shoal only: libFuzzer has none): the -stats_file
// CSV written by the coordinator (-workers=1, -workers=2) and by the in-process engine
// (-workers=0), runs that continue a file, in-process runs ended by a crash or SIGINT (their
// handlers write the last row), files that are refused or cannot be written, the
// unique-crash index (crashes.csv) that keep-going runs keep beside their artifacts, and
// -max_plateau_time.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <map>
#include <set>
#include <sstream>

#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

using Row = std::map<std::string, double>;

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  return fields;
}

// The rows of a stats file, by column name; fails the test on a malformed file.
std::vector<Row> ReadStats(const std::string& path, size_t* headers = nullptr) {
  std::vector<std::string> lines = Lines(ReadFile(path));
  std::vector<Row> rows;
  EXPECT_FALSE(lines.empty()) << path;
  if (lines.empty()) return rows;
  std::vector<std::string> header = SplitCsv(lines[0]);
  EXPECT_EQ(header.size(), 15u) << lines[0];
  if (headers) *headers = 0;
  for (const std::string& line : lines) {
    if (line == lines[0]) {
      if (headers) ++*headers;
      continue;
    }
    std::vector<std::string> fields = SplitCsv(line);
    EXPECT_EQ(fields.size(), header.size()) << line;
    Row row;
    for (size_t i = 0; i < fields.size() && i < header.size(); i++)
      row[header[i]] = std::stod(fields[i]);
    rows.push_back(row);
  }
  return rows;
}

double FinalStat(const RunResult& run, const std::string& name) {
  auto m = FindLine(run.output, "stat::" + name + R"(: *(\d+))");
  EXPECT_TRUE(m) << "no stat::" << name << "\n" << run.output;
  return m ? std::stod((*m)[1]) : -1;
}

// Checks the file a run of `seconds` wrote: rows about every second and one at exit, execs
// never decreasing, and a last row that agrees with the final stat:: lines and DONE line.
void ExpectStatsOfRun(const RunResult& run, const std::string& path, size_t workers) {
  size_t headers = 0;
  std::vector<Row> rows = ReadStats(path, &headers);
  EXPECT_EQ(headers, 1u);
  // A 3-second run: periodic rows at about 1 s and 2 s, and the one at exit. No timing is
  // asserted beyond "more than the row at exit".
  ASSERT_GE(rows.size(), 2u) << ReadFile(path);
  for (size_t i = 1; i < rows.size(); i++) {
    EXPECT_GE(rows[i]["execs"], rows[i - 1]["execs"]) << ReadFile(path);
    EXPECT_GE(rows[i]["elapsed_s"], rows[i - 1]["elapsed_s"]) << ReadFile(path);
    EXPECT_GE(rows[i]["ft"], rows[i - 1]["ft"]) << ReadFile(path);
  }
  const Row& last = rows.back();
  EXPECT_EQ(last.at("run_execs"), FinalStat(run, "number_of_executed_units")) << ReadFile(path);
  EXPECT_EQ(last.at("execs"), last.at("run_execs"));  // a fresh file: nothing to continue
  EXPECT_EQ(last.at("workers"), double(workers));
  EXPECT_EQ(last.at("worker_restarts"), 0);
  EXPECT_EQ(last.at("crashes"), 0);
  EXPECT_GT(last.at("rss_mb"), 0);
  EXPECT_GT(last.at("corpus_units"), 1);
  EXPECT_GT(last.at("corpus_bytes"), 1);
  EXPECT_GT(last.at("unix_time"), 1.5e9);
  auto done = FindLine(run.output, R"(#(\d+)\tDONE   cov: (\d+) ft: (\d+) corp: (\d+)/.*)");
  ASSERT_TRUE(done) << run.output;
  EXPECT_EQ(last.at("execs"), std::stod((*done)[1]));
  EXPECT_EQ(last.at("cov"), std::stod((*done)[2]));
  EXPECT_EQ(last.at("ft"), std::stod((*done)[3]));
  EXPECT_EQ(last.at("corpus_units"), std::stod((*done)[4]));
}

class StatsFileRun : public ::testing::TestWithParam<int> {};

TEST_P(StatsFileRun, RowsWhileFuzzingAndALastRowThatAgreesWithTheFinalStats) {
  const int workers = GetParam();
  TempDir dir;
  RunResult run = RunProcess(Harness("branchy"),
                             {kSeed, "-workers=" + std::to_string(workers), "-max_total_time=3",
                              "-print_final_stats=1", "-stats_file=stats.csv"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectStatsOfRun(run, dir.Join("stats.csv"), size_t(workers));
}

INSTANTIATE_TEST_SUITE_P(Workers, StatsFileRun, ::testing::Values(0, 1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "workers" + std::to_string(info.param);
                         });

TEST(StatsFile, ASecondRunAppendsAndContinuesElapsedTimeAndExecs) {
  TempDir dir;
  for (const char* workers : {"-workers=1", "-workers=0"}) {
    RunResult run = RunProcess(Harness("branchy"),
                               {kSeed, workers, "-max_total_time=2", "-print_final_stats=1",
                                "-stats_file=stats.csv", "-stats_interval=1"},
                               dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
  }
  size_t headers = 0;
  std::vector<Row> rows = ReadStats(dir.Join("stats.csv"), &headers);
  EXPECT_EQ(headers, 1u) << ReadFile(dir.Join("stats.csv"));
  ASSERT_GE(rows.size(), 2u);
  // The second run starts where the first ended: its run_execs start again from zero, its
  // execs and elapsed_s do not.
  size_t second_start = 0;
  for (size_t i = 1; i < rows.size(); i++) {
    EXPECT_GE(rows[i]["execs"], rows[i - 1]["execs"]) << ReadFile(dir.Join("stats.csv"));
    EXPECT_GE(rows[i]["elapsed_s"], rows[i - 1]["elapsed_s"]) << ReadFile(dir.Join("stats.csv"));
    if (rows[i]["run_execs"] < rows[i - 1]["run_execs"]) second_start = i;
  }
  ASSERT_GT(second_start, 0u) << ReadFile(dir.Join("stats.csv"));
  const Row& first_last = rows[second_start - 1];
  const Row& second_first = rows[second_start];
  EXPECT_EQ(second_first.at("execs"), first_last.at("execs") + second_first.at("run_execs"));
  EXPECT_GT(second_first.at("elapsed_s"), first_last.at("elapsed_s"));
  EXPECT_EQ(rows.back().at("workers"), 0);
}

// An in-process run that a crash ends writes its last row from the crash path (the
// sanitizer's death callback, before the process exits): one crash, and the executions of
// the final stat:: line.
TEST(StatsFile, AnInProcessRunEndedByACrashWritesALastRow) {
  TempDir dir;
  RunResult run = RunProcess(Harness("two_bugs"),
                             {kSeed, "-workers=0", "-runs=10000000", "-print_final_stats=1",
                              "-stats_file=stats.csv"},
                             dir.path());
  EXPECT_TRUE(run.Exited() && run.exit_code != 0) << run.Describe() << "\n" << run.output;
  ASSERT_TRUE(HasLineContaining(run.output, "Test unit written to ./crash-")) << run.output;
  std::vector<Row> rows = ReadStats(dir.Join("stats.csv"));
  ASSERT_FALSE(rows.empty()) << run.output;
  const Row& last = rows.back();
  EXPECT_GE(last.at("crashes"), 1) << ReadFile(dir.Join("stats.csv"));
  EXPECT_EQ(last.at("unique_crashes"), 1);
  EXPECT_EQ(last.at("run_execs"), FinalStat(run, "number_of_executed_units"))
      << ReadFile(dir.Join("stats.csv")) << run.output;
  EXPECT_EQ(last.at("execs"), last.at("run_execs"));
  EXPECT_GT(last.at("cov"), 0);
  EXPECT_EQ(last.at("workers"), 0);
}

// Ctrl-C on an in-process run: the SIGINT handler writes the last row (no crash in it).
TEST(StatsFile, AnInProcessRunEndedBySigintWritesALastRow) {
  TempDir dir;
  const std::string log = dir.Join("log");
  const std::string harness = Harness("branchy");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (chdir(dir.path().c_str()) != 0) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(harness.c_str(), harness.c_str(), kSeed, "-workers=0", "-max_total_time=60",
          "-print_final_stats=1", "-stats_file=stats.csv", nullptr);
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!HasLineContaining(ReadFile(log), "INITED") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Fuzzing for a moment (a periodic row may or may not be written first).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(kill(child, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  RunResult run;
  run.output = ReadFile(log);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  SHOAL_EXPECT_EXIT(run, 72);
  EXPECT_TRUE(FindLine(run.output, R"(==\d+== libFuzzer: run interrupted; exiting)")) << run.output;
  std::vector<Row> rows = ReadStats(dir.Join("stats.csv"));
  ASSERT_FALSE(rows.empty()) << run.output;
  const Row& last = rows.back();
  EXPECT_EQ(last.at("crashes"), 0);
  EXPECT_EQ(last.at("run_execs"), FinalStat(run, "number_of_executed_units"))
      << ReadFile(dir.Join("stats.csv")) << run.output;
  EXPECT_GT(last.at("run_execs"), 0);
  EXPECT_GT(last.at("cov"), 0);
}

TEST(StatsFile, AFileThatIsNotAStatsFileIsOneErrorAndExitCode1) {
  for (const char* workers : {"-workers=1", "-workers=0"}) {
    TempDir dir;
    WriteFile(dir.Join("notes.csv"), "name,value\nalice,1\n");
    RunResult run = RunProcess(Harness("branchy"),
                               {kSeed, workers, "-runs=100", "-stats_file=notes.csv"}, dir.path());
    SHOAL_EXPECT_EXIT(run, 1);
    EXPECT_EQ(CountLines(run.output, "ERROR: .*"), 1) << run.output;
    EXPECT_TRUE(HasLine(run.output,
                        "ERROR: -stats_file=notes.csv: the file exists and is not a Shoal stats "
                        "file (its first line is not the stats header); give a new or a Shoal "
                        "stats file"))
        << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "INITED")) << run.output;
    EXPECT_EQ(ReadFile(dir.Join("notes.csv")), "name,value\nalice,1\n");
  }
}

TEST(StatsFile, AFileThatCannotBeWrittenIsOneWarningAndTheRunGoesOn) {
  for (const char* workers : {"-workers=1", "-workers=0"}) {
    TempDir dir;
    RunResult run = RunProcess(
        Harness("branchy"),
        {kSeed, workers, "-max_total_time=2", "-stats_file=no/such/dir/stats.csv"}, dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_EQ(CountLines(run.output, "WARNING: -stats_file: .*"), 1) << run.output;
    EXPECT_TRUE(HasLineContaining(run.output, "Done ")) << run.output;
  }
}

void MakeDirectory(const std::string& path) { ASSERT_EQ(mkdir(path.c_str(), 0755), 0) << path; }

class PlateauRun : public ::testing::TestWithParam<int> {};

// The empty target's coverage is complete after its first input: the run must stop on the
// plateau, as it would on -max_total_time (exit code 0, DONE, Done), long before the 60 s.
TEST_P(PlateauRun, StopsWhenCoverageStopsGrowing) {
  TempDir dir;
  RunResult run = RunProcess(Harness("empty"),
                             {kSeed, "-workers=" + std::to_string(GetParam()),
                              "-max_plateau_time=2", "-max_total_time=60",
                              "-print_final_stats=1", "-stats_file=stats.csv"},
                             dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  ExpectLinesInOrder(run.output,
                     {R"(#\d+\tINITED .*)",
                      R"(INFO: no new coverage \(cov, ft\) for 2 seconds \(-max_plateau_time=2\); stopping)",
                      R"(#\d+\tDONE   cov: 1 ft: 1 .*)", R"(Done \d+ runs in \d+ second\(s\))",
                      R"(stat::number_of_executed_units: \d+)"});
  std::vector<Row> rows = ReadStats(dir.Join("stats.csv"));
  ASSERT_FALSE(rows.empty());
  EXPECT_GE(rows.back().at("secs_since_new_cov"), 2.0) << ReadFile(dir.Join("stats.csv"));
  EXPECT_EQ(rows.back().at("run_execs"), FinalStat(run, "number_of_executed_units"));
}

INSTANTIATE_TEST_SUITE_P(Workers, PlateauRun, ::testing::Values(0, 1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "workers" + std::to_string(info.param);
                         });

TEST(Plateau, CoverageThatKeepsGrowingIsNoPlateau) {
  TempDir dir;
  // branchy keeps finding edges in its first second; with a long plateau limit the run ends
  // by its -runs budget, and says nothing about a plateau.
  RunResult run = RunProcess(Harness("branchy"),
                             {kSeed, "-max_plateau_time=30", "-runs=20000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_FALSE(HasLineContaining(run.output, "-max_plateau_time")) << run.output;
  EXPECT_TRUE(HasLineContaining(run.output, "Done 20000 runs in")) << run.output;
}

// A quoted CSV (RFC 4180) split into rows of fields, as Python's csv module reads it.
std::vector<std::vector<std::string>> ParseQuotedCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      field += '"';
      i++;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (!quoted && c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  rows.pop_back();  // after the last newline
  return rows;
}

TEST(CrashIndex, KeepGoingRunsListEachUniqueCrashOnceWithItsFilesAndSizes) {
  TempDir dir;
  // Both bugs are in the seeds, longer than they need to be: found at once, then minimised
  // within -max_total_time (each minimisation may take its whole share of it).
  MakeDirectory(dir.Join("corpus"));
  WriteFile(dir.Join("corpus/a"), "AB" + std::string(40, 'z'));
  WriteFile(dir.Join("corpus/x"), "XY" + std::string(40, 'z'));
  WriteFile(dir.Join("corpus/benign"), "hello");
  std::vector<std::string> first_seen;
  for (int run_number = 0; run_number < 2; run_number++) {
    RunResult run = RunProcess(Harness("two_bugs"),
                               {kSeed, "-keep_going=1", "-runs=5000", "-max_total_time=6",
                                "-print_final_stats=1", "-stats_file=stats.csv", "corpus"},
                               dir.path());
    SHOAL_EXPECT_EXIT(run, 0);
    std::vector<std::vector<std::string>> rows = ParseQuotedCsv(ReadFile(dir.Join("crashes.csv")));
    ASSERT_EQ(rows.size(), 3u) << ReadFile(dir.Join("crashes.csv")) << run.output;
    const std::vector<std::string> header = {"first_seen_unix", "kind", "signature",
                                             "artifact", "artifact_size", "minimized",
                                             "minimized_size", "exit_code", "target"};
    ASSERT_EQ(rows[0], header);
    std::set<std::string> signatures;
    for (size_t i = 1; i < rows.size(); i++) {
      const std::vector<std::string>& row = rows[i];
      ASSERT_EQ(row.size(), header.size());
      EXPECT_EQ(row[1], "crash-");
      EXPECT_EQ(row[2].substr(0, 7), "crash-|") << row[2];
      EXPECT_TRUE(signatures.insert(row[2]).second) << row[2];
      // The artifact, as the run announced it, with its size.
      EXPECT_TRUE(HasLine(run.output, "artifact_prefix='./'; Test unit written to " + row[3]) ||
                  run_number == 1)
          << row[3] << "\n" << run.output;
      std::string bytes = ReadFile(dir.Join(row[3]));
      EXPECT_EQ(row[3], "./crash-" + Sha1Hex(bytes));
      EXPECT_EQ(row[4], std::to_string(bytes.size()));
      if (!row[5].empty()) {
        EXPECT_EQ(row[5], "./minimized-from-" + Sha1Hex(bytes));
        EXPECT_EQ(row[6], std::to_string(ReadFile(dir.Join(row[5])).size()));
      } else if (run_number == 0) {
        EXPECT_TRUE(HasLineContaining(run.output, "not minimized: the -max_total_time budget"))
            << run.output;
      }
      EXPECT_NE(row[7], "0");
      char* target = realpath(Harness("two_bugs").c_str(), nullptr);
      ASSERT_TRUE(target);
      EXPECT_EQ(row[8], target);  // the command that reproduces it: "<target> <artifact>"
      free(target);
      // The second run finds the same two bugs: their rows, first seen in the first run, stay.
      if (run_number == 0)
        first_seen.push_back(row[0]);
      else
        EXPECT_EQ(row[0], first_seen[i - 1]);
    }
    // The stats file's last row agrees with the run's crash counts.
    std::vector<Row> stats = ReadStats(dir.Join("stats.csv"));
    ASSERT_FALSE(stats.empty());
    EXPECT_EQ(stats.back().at("crashes"), FinalStat(run, "crashes"));
    EXPECT_EQ(stats.back().at("unique_crashes"), FinalStat(run, "unique_crashes"));
    EXPECT_EQ(stats.back().at("unique_crashes"), 2);
    EXPECT_GE(stats.back().at("worker_restarts"), 2);
  }
}

}  // namespace
}  // namespace shoal_test

// Unit tests of the -stats_file writer (runtime/common/stats_file.*): the header, rows that
// continue an existing file, execs that never decrease, refusing files that are not stats
// files, and one warning for a file that cannot be written. Run by Bazel as a plain test
// process (no fuzz target involved).
#include "runtime/common/stats_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/common/log.h"

namespace fuzzer {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    char dir_template[] = "/tmp/shoal_stats_test_XXXXXX";
    path_ = mkdtemp(dir_template);
  }
  ~ScratchDir() { system(("rm -rf " + path_).c_str()); }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void Spit(const std::string& path, const std::string& contents) {
  std::ofstream(path) << contents;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  return fields;
}

// Column index by name, from the header.
size_t Column(const std::string& name) {
  std::vector<std::string> header = Fields(StatsFile::Header());
  for (size_t i = 0; i < header.size(); i++)
    if (header[i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

StatsRow Row(double elapsed, uint64_t execs, size_t cov) {
  StatsRow row;
  row.run_elapsed_s = elapsed;
  row.execs = execs;
  row.cov = cov;
  row.ft = cov * 2;
  row.workers = 2;
  return row;
}

TEST(StatsFileTest, HeaderHasTheColumnsTheReportReads) {
  for (const char* column :
       {"unix_time", "elapsed_s", "execs", "execs_per_sec", "cov", "ft", "corpus_units",
        "corpus_bytes", "crashes", "unique_crashes", "workers", "worker_restarts", "rss_mb",
        "secs_since_new_cov", "run_execs"})
    Column(column);
}

TEST(StatsFileTest, NewFileGetsTheHeaderThenOneRowPerAppend) {
  ScratchDir dir;
  std::string path = dir.Join("stats.csv");
  std::string error;
  auto file = StatsFile::Open(path, 1, &error);
  ASSERT_TRUE(file) << error;
  file->Append(Row(1.0, 100, 5));
  file->Append(Row(2.0, 300, 7));
  std::vector<std::string> lines = SplitLines(Slurp(path));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], StatsFile::Header());
  std::vector<std::string> second = Fields(lines[2]);
  ASSERT_EQ(second.size(), Fields(StatsFile::Header()).size());
  EXPECT_EQ(second[Column("elapsed_s")], "2.000");
  EXPECT_EQ(second[Column("execs")], "300");
  EXPECT_EQ(second[Column("run_execs")], "300");
  EXPECT_EQ(second[Column("execs_per_sec")], "200");  // 200 execs in the second since row 1
  EXPECT_EQ(second[Column("cov")], "7");
  EXPECT_EQ(second[Column("ft")], "14");
  EXPECT_EQ(second[Column("workers")], "2");
}

// The crash and SIGINT paths of the in-process engine format the row without snprintf: the
// same columns, digits and three decimals as Append.
TEST(StatsFileTest, AppendAtDeathWritesTheSameRowAsAppend) {
  ScratchDir dir;
  std::string error;
  auto normal = StatsFile::Open(dir.Join("normal.csv"), 1, &error);
  auto dying = StatsFile::Open(dir.Join("dying.csv"), 1, &error);
  ASSERT_TRUE(normal && dying) << error;
  StatsRow row = Row(2.0625, 12345678901ull, 77);
  row.crashes = 1;
  row.unique_crashes = 1;
  row.secs_since_new_cov = 0.25;
  normal->Append(row);
  dying->AppendAtDeath(row);
  std::vector<std::string> a = SplitLines(Slurp(dir.Join("normal.csv")));
  std::vector<std::string> b = SplitLines(Slurp(dir.Join("dying.csv")));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  std::vector<std::string> fields = Fields(b[1]);
  ASSERT_EQ(fields.size(), Fields(StatsFile::Header()).size()) << b[1];
  EXPECT_EQ(fields[Column("elapsed_s")], "2.063") << b[1];
  EXPECT_EQ(fields[Column("execs")], "12345678901");
  EXPECT_EQ(fields[Column("run_execs")], "12345678901");
  EXPECT_EQ(fields[Column("cov")], "77");
  EXPECT_EQ(fields[Column("crashes")], "1");
  EXPECT_EQ(fields[Column("secs_since_new_cov")], "0.250");
  EXPECT_TRUE(std::regex_match(fields[Column("unix_time")], std::regex(R"(\d{10}\.\d{3})")))
      << b[1];
  // Everything but the wall-clock time is the same as Append's.
  std::vector<std::string> other = Fields(a[1]);
  for (size_t i = 1; i < fields.size(); i++) EXPECT_EQ(fields[i], other[i]) << i;
}

TEST(StatsFileTest, ExecsNeverDecrease) {
  ScratchDir dir;
  std::string path = dir.Join("stats.csv");
  std::string error;
  auto file = StatsFile::Open(path, 1, &error);
  ASSERT_TRUE(file) << error;
  file->Append(Row(1.0, 500, 5));
  file->Append(Row(2.0, 400, 5));  // a smaller count than before is not believed
  std::vector<std::string> lines = SplitLines(Slurp(path));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Fields(lines[2])[Column("execs")], "500");
}

TEST(StatsFileTest, ASecondRunAppendsAndContinuesElapsedTimeAndExecs) {
  ScratchDir dir;
  std::string path = dir.Join("stats.csv");
  std::string error;
  {
    auto first = StatsFile::Open(path, 1, &error);
    ASSERT_TRUE(first) << error;
    first->Append(Row(10.0, 1000, 5));
  }
  auto second = StatsFile::Open(path, 1, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_DOUBLE_EQ(second->elapsed_offset_s(), 10.0);
  EXPECT_EQ(second->execs_offset(), 1000u);
  second->Append(Row(3.0, 200, 6));
  std::vector<std::string> lines = SplitLines(Slurp(path));
  ASSERT_EQ(lines.size(), 3u);  // one header only
  std::vector<std::string> row = Fields(lines[2]);
  EXPECT_EQ(row[Column("elapsed_s")], "13.000");
  EXPECT_EQ(row[Column("execs")], "1200");
  EXPECT_EQ(row[Column("run_execs")], "200");
}

TEST(StatsFileTest, APartialLastLineIsCutOff) {
  ScratchDir dir;
  std::string path = dir.Join("stats.csv");
  std::string error;
  {
    auto first = StatsFile::Open(path, 1, &error);
    ASSERT_TRUE(first) << error;
    first->Append(Row(4.0, 40, 5));
  }
  Spit(path, Slurp(path) + "17961797");  // a row cut short by a full disk
  auto second = StatsFile::Open(path, 1, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_DOUBLE_EQ(second->elapsed_offset_s(), 4.0);
  second->Append(Row(1.0, 10, 5));
  std::vector<std::string> lines = SplitLines(Slurp(path));
  ASSERT_EQ(lines.size(), 3u) << Slurp(path);
  EXPECT_EQ(Fields(lines[2])[Column("execs")], "50");
}

TEST(StatsFileTest, AFileThatIsNotAStatsFileIsRefused) {
  ScratchDir dir;
  std::string path = dir.Join("notes.csv");
  Spit(path, "name,value\nalice,1\n");
  std::string error;
  EXPECT_FALSE(StatsFile::Open(path, 1, &error));
  EXPECT_NE(error.find("not a Shoal stats file"), std::string::npos) << error;
  EXPECT_EQ(Slurp(path), "name,value\nalice,1\n");  // untouched

  std::string garbled = dir.Join("garbled.csv");
  Spit(garbled, std::string(StatsFile::Header()) + "\n1,2,three\n");
  error.clear();
  EXPECT_FALSE(StatsFile::Open(garbled, 1, &error));
  EXPECT_NE(error.find("last row is not a stats row"), std::string::npos) << error;
}

TEST(StatsFileTest, AnUnwritableFileIsOneWarningNotAStop) {
  ScratchDir dir;
  std::string log_path = dir.Join("log.txt");
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(log_fd, 0);
  SetOutputFd(log_fd);
  std::string error;
  auto file = StatsFile::Open(dir.Join("missing/dir/stats.csv"), 1, &error);
  if (file) {
    file->Append(Row(1.0, 1, 1));
    file->Append(Row(2.0, 2, 1));
  }
  SetOutputFd(2);
  close(log_fd);
  ASSERT_TRUE(file) << error;
  std::vector<std::string> lines = SplitLines(Slurp(log_path));
  ASSERT_EQ(lines.size(), 1u) << Slurp(log_path);
  EXPECT_NE(lines[0].find("WARNING: -stats_file: cannot open"), std::string::npos) << lines[0];
}

TEST(StatsFileTest, RowsAreDueAfterTheInterval) {
  ScratchDir dir;
  std::string error;
  auto file = StatsFile::Open(dir.Join("stats.csv"), 5, &error);
  ASSERT_TRUE(file) << error;
  auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(file->Due(now));
  EXPECT_TRUE(file->Due(now + std::chrono::seconds(6)));
  file->Append(Row(1.0, 1, 1));
  EXPECT_FALSE(file->Due(std::chrono::steady_clock::now()));
}

}  // namespace
}  // namespace fuzzer

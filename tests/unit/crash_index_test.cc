// Unit tests of the unique-crash index (runtime/coordinator/crash_index.*): CSV quoting that
// survives signatures with commas and quotes, one row per signature across runs, the
// minimised file recorded later, and a foreign file left alone. Run by Bazel as a plain test
// process (no fuzz target involved).
#include "runtime/coordinator/crash_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fuzzer {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    char dir_template[] = "/tmp/shoal_crash_index_test_XXXXXX";
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

CrashRecord Record(const std::string& signature, const std::string& artifact) {
  CrashRecord record;
  record.first_seen_unix = "1700000000.500";
  record.kind = "crash-";
  record.signature = signature;
  record.artifact = artifact;
  record.artifact_size = 12;
  record.exit_code = 77;
  record.target = "/out/fuzzer";
  return record;
}

TEST(CrashIndexTest, FieldsWithCommasAndQuotesSurviveTheRoundTrip) {
  std::vector<CrashRecord> records = {
      Record("crash-|Parse(char const*, unsigned long) a.cc:3|Say(\"hi\") b.cc:4", "./crash-1"),
      Record("timeout-|Loop() c.cc:9", "./timeout-2")};
  records[1].minimized = "./minimized-from-2";
  records[1].minimized_size = 3;
  std::string text = CrashIndex::Format(records);
  EXPECT_EQ(text.substr(0, text.find('\n')), CrashIndex::Header());
  EXPECT_NE(text.find("\"crash-|Parse(char const*, unsigned long) a.cc:3|Say(\"\"hi\"\") b.cc:4\""),
            std::string::npos)
      << text;
  std::vector<CrashRecord> parsed;
  ASSERT_TRUE(CrashIndex::Parse(text, &parsed));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].signature, records[0].signature);
  EXPECT_EQ(parsed[0].artifact_size, 12u);
  EXPECT_EQ(parsed[0].exit_code, 77);
  EXPECT_EQ(parsed[1].minimized, "./minimized-from-2");
  EXPECT_EQ(parsed[1].minimized_size, 3u);
  EXPECT_FALSE(CrashIndex::Parse("a,b\n1,2\n", &parsed));
  EXPECT_FALSE(CrashIndex::Parse(std::string(CrashIndex::Header()) + "\n\"unterminated\n", &parsed));
}

TEST(CrashIndexTest, OneRowPerSignatureAcrossRunsAndTheMinimisedFileLater) {
  ScratchDir dir;
  std::string path = dir.Join("crashes.csv");
  {
    CrashIndex index(path);
    EXPECT_TRUE(index.Add(Record("crash-|A() a.cc:1", "./crash-a")));
    EXPECT_FALSE(index.Add(Record("crash-|A() a.cc:1", "./crash-a2")));
    index.SetMinimized("./crash-a", "./minimized-from-a", 4);
  }
  CrashIndex later(path);  // a later run with the same artifact prefix
  CrashRecord again = Record("crash-|A() a.cc:1", "./crash-a3");
  again.first_seen_unix = "1800000000.000";
  EXPECT_FALSE(later.Add(again));
  EXPECT_TRUE(later.Add(Record("crash-|B() b.cc:2", "./crash-b")));
  std::vector<CrashRecord> records;
  ASSERT_TRUE(CrashIndex::Parse(Slurp(path), &records)) << Slurp(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].artifact, "./crash-a");
  EXPECT_EQ(records[0].first_seen_unix, "1700000000.500");  // the first sighting stays
  EXPECT_EQ(records[0].minimized, "./minimized-from-a");
  EXPECT_EQ(records[0].minimized_size, 4u);
  EXPECT_EQ(records[1].signature, "crash-|B() b.cc:2");
  // Written atomically: no temp file is left beside it.
  EXPECT_EQ(system(("test $(ls -A " + dir.Join("") + " | wc -l) -eq 1").c_str()), 0);
}

TEST(CrashIndexTest, AForeignFileIsLeftAlone) {
  ScratchDir dir;
  std::string path = dir.Join("crashes.csv");
  std::ofstream(path) << "my,own\nnotes,here\n";
  CrashIndex index(path);
  EXPECT_FALSE(index.Add(Record("crash-|A() a.cc:1", "./crash-a")));
  EXPECT_EQ(Slurp(path), "my,own\nnotes,here\n");
}

}  // namespace
}  // namespace fuzzer

// FailureLog (runtime/coordinator/failure_log.h): the keep-going policy, signature counting,
// artifacts and the crashes kept for minimisation; GlobalCorpus (global_corpus.h): what an
// input changes, the output-corpus files, and the counts the status lines print.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "runtime/common/files.h"
#include "runtime/common/flags.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/sha1.h"
#include "runtime/coordinator/failure_log.h"
#include "runtime/coordinator/global_corpus.h"

namespace fuzzer {
namespace {

// The options a coordinator builds from `args` (as the driver does).
struct ParsedFlags {
  explicit ParsedFlags(std::vector<std::string> args) : storage(std::move(args)) {
    storage.insert(storage.begin(), "./fuzzer");
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(&arg[0]);
    argv.push_back(nullptr);
    options = BuildFuzzingOptions(
        ParseCommandLine(int(storage.size()), argv.data(), /*quiet=*/true).flags, ProcessFacts{});
  }
  std::vector<std::string> storage;
  FuzzingOptions options;
};

class ScratchDir {
 public:
  ScratchDir() {
    char dir_template[] = "/tmp/shoal_failure_log_test_XXXXXX";
    path_ = mkdtemp(dir_template);
  }
  ~ScratchDir() { system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (struct dirent* entry = d ? readdir(d) : nullptr)
    if (entry->d_name[0] != '.') names.push_back(entry->d_name);
  if (d) closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

ino_t InodeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(FailureLog, KeepGoingPolicyFollowsLibFuzzersFlagsAndForkDefaults) {
  ParsedFlags plain({});
  FailureLog stop(plain.options);
  for (FailureKind kind :
       {FailureKind::kCrash, FailureKind::kTimeout, FailureKind::kOom, FailureKind::kLeak})
    EXPECT_FALSE(stop.KeepGoingAfter(kind));
  EXPECT_FALSE(stop.AnyFailureIsSurvived());
  EXPECT_FALSE(stop.KeepsInterruptedReports());

  // -fork=N survives timeouts and OOMs by default (libFuzzer's fork mode), not crashes.
  ParsedFlags fork({"-fork=2"});
  FailureLog forked(fork.options);
  EXPECT_TRUE(forked.KeepGoingAfter(FailureKind::kTimeout));
  EXPECT_TRUE(forked.KeepGoingAfter(FailureKind::kOom));
  EXPECT_FALSE(forked.KeepGoingAfter(FailureKind::kCrash));
  ParsedFlags fork_strict({"-fork=2", "-ignore_timeouts=0"});
  EXPECT_FALSE(FailureLog(fork_strict.options).KeepGoingAfter(FailureKind::kTimeout));

  // Without -fork, only an explicit -ignore_* flag does.
  ParsedFlags ignore({"-ignore_ooms=1", "-ignore_crashes=1"});
  FailureLog ignoring(ignore.options);
  EXPECT_TRUE(ignoring.KeepGoingAfter(FailureKind::kOom));
  EXPECT_TRUE(ignoring.KeepGoingAfter(FailureKind::kCrash));
  EXPECT_TRUE(ignoring.KeepGoingAfter(FailureKind::kLeak));
  EXPECT_FALSE(ignoring.KeepGoingAfter(FailureKind::kTimeout));

  // A merge survives everything and keeps no crash of its own.
  FailureLog merge(plain.options);
  merge.set_merging();
  EXPECT_TRUE(merge.KeepGoingAfter(FailureKind::kCrash));
  EXPECT_FALSE(merge.KeepsUniqueCrashes());
  EXPECT_FALSE(merge.KeepsInterruptedReports());
  ParsedFlags keep({"-keep_going=1"});
  EXPECT_TRUE(FailureLog(keep.options).KeepsInterruptedReports());
}

TEST(FailureLog, CountsEveryFailureAndEachSignatureOnce) {
  ParsedFlags plain({});
  FailureLog log(plain.options);
  EXPECT_TRUE(log.Count("crash-a"));
  EXPECT_FALSE(log.Count("crash-a"));
  EXPECT_TRUE(log.Count("timeout-b"));
  EXPECT_TRUE(log.Known("crash-a"));
  EXPECT_FALSE(log.Known("crash-c"));
  EXPECT_EQ(log.crashes(), 3u);
  EXPECT_EQ(log.unique_signatures(), 2u);
}

TEST(FailureLog, ArtifactsAreNamedByKindAndSha1UnderThePrefixOrTheExactPath) {
  ScratchDir dir;
  ParsedFlags prefixed({"-artifact_prefix=" + dir.path() + "/"});
  FailureLog log(prefixed.options);
  const Bytes input = {'b', 'u', 'g'};
  std::string path = log.WriteArtifact(FailureKind::kTimeout, input);
  EXPECT_EQ(path, dir.path() + "/timeout-" + Sha1Hex(input.data(), input.size()));
  Bytes written;
  ASSERT_TRUE(ReadFile(path, &written));
  EXPECT_EQ(written, input);

  ParsedFlags exact({"-exact_artifact_path=" + dir.path() + "/exact"});
  EXPECT_EQ(FailureLog(exact.options).WriteArtifact(FailureKind::kCrash, input),
            dir.path() + "/exact");
  ParsedFlags unwritable({"-artifact_prefix=/nonexistent/dir/"});
  EXPECT_EQ(FailureLog(unwritable.options).WriteArtifact(FailureKind::kCrash, input), "");
}

TEST(FailureLog, OnlyCrashesAreMinimized) {
  ScratchDir dir;
  ParsedFlags flags({"-artifact_prefix=" + dir.path() + "/"});
  FailureLog log(flags.options);
  log.AddUniqueCrash(UniqueCrash{FailureKind::kCrash, "crash-a", 1, {'a'}, "crash-1"});
  log.AddUniqueCrash(UniqueCrash{FailureKind::kTimeout, "timeout-b", 70, {'b'}, "timeout-2"});
  log.AddUniqueCrash(UniqueCrash{FailureKind::kCrash, "crash-c", 1, {'c'}, "crash-3"});
  std::vector<UniqueCrash> crashes = log.CrashesToMinimize();
  ASSERT_EQ(crashes.size(), 2u);
  EXPECT_EQ(crashes[0].artifact_path, "crash-1");
  EXPECT_EQ(crashes[1].artifact_path, "crash-3");
  // No campaign flag: no crash index is written.
  EXPECT_TRUE(FilesIn(dir.path()).empty());
}

TEST(GlobalCorpus, ReportsNewThenNothingAndWritesOnlyUnitsToTheOutputDir) {
  ScratchDir dir;
  ParsedFlags flags({});
  GlobalCorpus corpus(flags.options);
  corpus.SetOutputDir(dir.path(), nullptr);
  const Bytes seed = {'s', 'e', 'e', 'd'};
  // Features 8..15 are edge 1's buckets and 16 edge 2's, with 4 counters.
  GlobalCorpus::Change change = corpus.Add(seed, {8, 16}, "", /*unit=*/false, 4);
  EXPECT_EQ(change.kind, GlobalCorpus::Change::kNew);
  EXPECT_EQ(corpus.num_covered_edges(), 2u);
  EXPECT_EQ(corpus.units_added(), 0u);  // a seed is not a new unit
  EXPECT_TRUE(FilesIn(dir.path()).empty());  // and is not copied to the output corpus
  EXPECT_FALSE(corpus.WouldTake({8, 16}, seed.size()));
  EXPECT_TRUE(corpus.WouldTake({8, 24}, seed.size()));

  EXPECT_EQ(corpus.Add({'x'}, {8}, "", true, 4).kind, GlobalCorpus::Change::kNone);

  const Bytes unit = {'u', 'n', 'i', 't', '!'};
  change = corpus.Add(unit, {9, 24}, "", /*unit=*/true, 4);
  EXPECT_EQ(change.kind, GlobalCorpus::Change::kNew);
  EXPECT_TRUE(change.first_write_failure.empty());
  EXPECT_EQ(corpus.num_covered_edges(), 3u);  // 9 is edge 1 again; 24 is edge 3
  EXPECT_EQ(corpus.units_added(), 1u);
  EXPECT_EQ(FilesIn(dir.path()),
            std::vector<std::string>{Sha1Hex(unit.data(), unit.size())});
  EXPECT_EQ(corpus.corpus().NumActiveInputs(), 2u);
  EXPECT_EQ(corpus.ActiveInputs().size(), 2u);
}

TEST(GlobalCorpus, AReduceReplacesItsBaseOnlyWhenSmallerAndKeepingItsUniqueFeatures) {
  ScratchDir dir;
  ParsedFlags flags({});
  GlobalCorpus corpus(flags.options);
  corpus.SetOutputDir(dir.path(), nullptr);
  const Bytes big = {'b', 'i', 'g', 'g', 'e', 'r'};
  ASSERT_EQ(corpus.Add(big, {100, 200}, "", true, 0).kind, GlobalCorpus::Change::kNew);
  const std::string base = Sha1Hex(big.data(), big.size());
  // Missing feature 200: not a replacement.
  EXPECT_EQ(corpus.Add({'s'}, {100}, base, true, 0).kind, GlobalCorpus::Change::kNone);
  // Larger: not a replacement.
  EXPECT_EQ(corpus.Add(Bytes(10, 'l'), {100, 200}, base, true, 0).kind,
            GlobalCorpus::Change::kNone);
  const Bytes small = {'s', 'm'};
  EXPECT_EQ(corpus.Add(small, {100, 200}, base, true, 0).kind, GlobalCorpus::Change::kReduce);
  EXPECT_EQ(corpus.corpus().NumActiveInputs(), 1u);
  // The base's file is replaced by the smaller input's: the retired file stays whole under its
  // name (a spare, CorpusFileWriter) until a write takes its inode or the run ends.
  const std::string small_name = Sha1Hex(small.data(), small.size());
  EXPECT_EQ(corpus.files().num_spares(), 1u);
  corpus.files().DiscardSpares();
  EXPECT_EQ(FilesIn(dir.path()), std::vector<std::string>{small_name});
  EXPECT_EQ(corpus.units_added(), 2u);
  // The next REDUCE's file goes into the inode of the file it evicts.
  const ino_t small_inode = InodeOf(dir.path() + "/" + small_name);
  const Bytes smallest = {'s'};
  EXPECT_EQ(corpus.Add(smallest, {100, 200}, small_name, true, 0).kind,
            GlobalCorpus::Change::kReduce);
  const std::string smallest_name = Sha1Hex(smallest.data(), smallest.size());
  EXPECT_EQ(FilesIn(dir.path()), (std::vector<std::string>{small_name, smallest_name}));
  ASSERT_EQ(corpus.Add(Bytes{'n', 'e', 'w'}, {300}, "", true, 0).kind, GlobalCorpus::Change::kNew);
  const Bytes fresh = {'n', 'e', 'w'};
  EXPECT_EQ(InodeOf(dir.path() + "/" + Sha1Hex(fresh.data(), fresh.size())), small_inode);
  EXPECT_EQ(FilesIn(dir.path()).size(), 2u);
}

TEST(GlobalCorpus, AnUnwritableOutputDirIsReportedOnceAndTheUnitStaysInMemory) {
  ParsedFlags flags({});
  GlobalCorpus corpus(flags.options);
  corpus.SetOutputDir("/nonexistent/shoal/out", nullptr);
  GlobalCorpus::Change first = corpus.Add({'a'}, {1}, "", true, 0);
  EXPECT_EQ(first.kind, GlobalCorpus::Change::kNew);
  EXPECT_NE(first.first_write_failure, "");
  EXPECT_NE(first.write_error, "");
  GlobalCorpus::Change second = corpus.Add({'b'}, {2}, "", true, 0);
  EXPECT_EQ(second.kind, GlobalCorpus::Change::kNew);
  EXPECT_EQ(second.first_write_failure, "");
  EXPECT_EQ(corpus.corpus().NumActiveInputs(), 2u);
}

}  // namespace
}  // namespace fuzzer

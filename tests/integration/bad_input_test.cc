// Integration tests for bad input given to the driver (issue 8): corpus directories with
// symlink cycles or that cannot be opened or written, seeds whose names look like temp files,
// absurd worker counts and dictionaries libFuzzer 14 accepts or refuses. Each case expects one
// clear line and a defined exit code. The suite runs against Shoal (bad_input_test) and
// against real libFuzzer 14 (bad_input_test_libfuzzer), which proves the lines and codes taken
// from it; where libFuzzer misbehaves, the test says what it does and what Shoal does instead.
// Runs in the test process, starting the harnesses as child processes.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

void MakeDir(const TempDir& dir, const std::string& name) {
  ASSERT_EQ(mkdir(dir.Join(name).c_str(), 0755), 0) << name;
}

void Symlink(const std::string& target, const std::string& link) {
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0) << link;
}

std::string FilesFoundLine(size_t count, const std::string& dir) {
  std::string number = std::to_string(count);
  return "INFO: " + std::string(8 - number.size(), ' ') + number + " files found in " + dir;
}

// ---- 1. Directory cycles -------------------------------------------------------------------

// Two self-symlinks (`ln -s . a; ln -s . b`). Shoal follows symlinks to directories, and
// recursed through these until it had 1.9 GB of paths. libFuzzer does not follow them: it
// takes each link for a file and loads the directory as a 4096-byte seed of zeros (4 files
// here). Shoal lists each directory once, so the two real files, once each.
TEST(BadInput, SelfSymlinksInACorpusDirListEachFileOnce) {
  TempDir dir;
  MakeDir(dir, "corp");
  WriteFile(dir.Join("corp/f1"), "a");
  WriteFile(dir.Join("corp/f2"), "bb");
  Symlink(".", dir.Join("corp/a"));
  Symlink(".", dir.Join("corp/b"));
  // The old listing ran until the deadline; one minute is ample for two files.
  RunResult run =
      RunProcess(Harness("branchy"), {"-runs=0", "corp"}, dir.path(), std::chrono::seconds(60));
  SHOAL_EXPECT_EXIT(run, 0);
  const bool shoal = Engine() == "shoal";
  EXPECT_TRUE(HasLine(run.output, FilesFoundLine(shoal ? 2 : 4, "corp"))) << run.output;
  if (shoal) {
    EXPECT_TRUE(
        FindLine(run.output, R"(INFO: seed corpus: files: 2 min: 1b max: 2b total: 3b rss: \d+Mb)"))
        << run.output;
    // One empty-input run plus one run per seed: no seed was loaded twice.
    EXPECT_TRUE(FindLine(run.output, R"(Done 3 runs in \d+ second\(s\))")) << run.output;
  }
}

// One self-link used to load every seed 41 times (once per path until ELOOP). A link to a
// subdirectory that is also listed directly does not repeat its files either.
TEST(BadInput, OneSelfSymlinkAndALinkToASubdirectoryLoadEachSeedOnce) {
  if (Engine() != "shoal") GTEST_SKIP() << "libFuzzer loads symlinks to directories as files";
  TempDir dir;
  MakeDir(dir, "corp");
  MakeDir(dir, "corp/sub");
  WriteFile(dir.Join("corp/f1"), "a");
  WriteFile(dir.Join("corp/sub/f2"), "bb");
  Symlink(".", dir.Join("corp/self"));
  Symlink("sub", dir.Join("corp/sub_again"));
  for (const char* workers : {"-workers=0", "-workers=1"}) {
    RunResult run = RunProcess(Harness("branchy"), {"-runs=0", workers, "corp"}, dir.path(),
                               std::chrono::seconds(60));
    SHOAL_EXPECT_EXIT(run, 0);
    EXPECT_TRUE(HasLine(run.output, FilesFoundLine(2, "corp"))) << workers << "\n" << run.output;
    EXPECT_TRUE(FindLine(run.output, R"(Done 3 runs in \d+ second\(s\))")) << run.output;
  }
}

// ---- 2. Seeds named like temp files ---------------------------------------------------------

// Shoal's listing used to skip every name containing ".tmp." (meant for its own atomic-write
// temp files), so this seed was silently never run.
TEST(BadInput, ASeedNamedLikeATempFileIsRun) {
  TempDir dir;
  MakeDir(dir, "corp");
  WriteFile(dir.Join("corp/x.tmp.1"), "CRASH");
  RunResult run = RunProcess(Harness("repro"), {"-runs=0", "corp"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);  // the repro harness's ASan SEGV on "CRASH"
  EXPECT_TRUE(HasLine(run.output, FilesFoundLine(1, "corp"))) << run.output;
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_EQ(artifact.bytes, "CRASH");
}

TEST(BadInput, ASeedNamedLikeATempFileIsMerged) {
  TempDir dir;
  MakeDir(dir, "out");
  MakeDir(dir, "in");
  WriteFile(dir.Join("in/x.tmp.1"), "abc");
  RunResult run = RunProcess(Harness("branchy"), {"-merge=1", "out", "in"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_TRUE(
      FindLine(run.output,
               R"(MERGE-OUTER: 1 new files with \d+ new features added; \d+ new coverage edges)"))
      << run.output;
  EXPECT_EQ(ListDir(dir.Join("out")), std::vector<std::string>{Sha1Hex("abc")});
}

// ---- 3. Worker counts ----------------------------------------------------------------------

// -workers=-1 once took 8 GB in 20 s; -workers/-jobs/-fork=100000 started ~500 processes and
// died of an uncaught std::system_error (exit 77). Shoal refuses them with one line and exit
// code 1 before starting anything. libFuzzer is no model: it ignores -workers without -jobs
// and would really run -jobs=100000 / -fork=100000 jobs, so these cases are Shoal's only.
// The build without sanitizers runs under a 1 GB address-space limit, so a regression fails
// quickly (bad_alloc) instead of eating the machine's memory.
RunResult RunWithWorkerFlag(const TempDir& dir, const std::string& flag) {
  return RunProcess("/usr/bin/prlimit",
                    {"--as=1073741824", "--", Harness("branchy_nosan"), "-runs=10", flag},
                    dir.path(), std::chrono::seconds(60));
}

TEST(BadInput, NegativeOrAbsurdWorkerCountsAreOneClearError) {
  if (Engine() != "shoal") GTEST_SKIP() << "libFuzzer would start the jobs it is asked for";
  TempDir dir;
  std::string limit;
  for (const char* flag : {"-workers=-1", "-workers=100000", "-jobs=100000", "-fork=100000",
                           "-fork=-3", "-jobs=-1", "-workers=99999999999999999999999"}) {
    RunResult run = RunWithWorkerFlag(dir, flag);
    SHOAL_EXPECT_EXIT(run, 1);
    std::vector<std::string> lines = Lines(run.output);
    ASSERT_EQ(lines.size(), 1u) << flag << ": expected one line\n" << run.output;
    std::string value = std::string(flag).substr(1);
    if (value == "workers=99999999999999999999999") value = "workers=9223372036854775807";
    auto error = FindLine(lines[0], "ERROR: -" + value +
                                        ": the number of worker processes must be between 0 "
                                        "and (\\d+)");
    ASSERT_TRUE(error) << flag << "\n" << run.output;
    if (limit.empty()) limit = (*error)[1];
    EXPECT_EQ((*error)[1], limit) << "one limit for every flag";
  }
  // The limit itself is the first refused count plus one, and is at least 256.
  ASSERT_GE(std::stol(limit), 256);
  RunResult over = RunWithWorkerFlag(dir, "-workers=" + std::to_string(std::stol(limit) + 1));
  SHOAL_EXPECT_EXIT(over, 1);
  // A sane count still fuzzes.
  RunResult two = RunWithWorkerFlag(dir, "-workers=2");
  SHOAL_EXPECT_EXIT(two, 0);
  EXPECT_TRUE(FindLine(two.output, R"(Done 10 runs in \d+ second\(s\))")) << two.output;
}

// ---- 4. Dictionaries -------------------------------------------------------------------------

// An entry longer than 64 bytes: libFuzzer 14 parses it, counts it in "Dictionary: N entries"
// and leaves it out of the mutators' dictionary (only words of at most 64 bytes go there);
// Shoal used to refuse the whole file ("error in line 4"). The token is still found with the
// long entry beside it.
TEST(BadInput, ADictionaryEntryLongerThan64BytesIsAcceptedAndCounted) {
  TempDir dir;
  WriteFile(dir.Join("long.dict"),
            "# the token dict_token hides, and one long entry\n"
            "token=\"SHOAL\\xffTOKEN42\"\n\n"
            "long=\"" +
                std::string(65, 'L') + "\"\n");
  RunResult run =
      RunProcess(Harness("dict_token"), {"-seed=1", "-runs=100000", "-dict=long.dict"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_FALSE(HasLineContaining(run.output, "ParseDictionaryFile")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "Dictionary: 2 entries")) << run.output;
  Artifact artifact = ExpectHashedArtifact(run, dir, "crash");
  EXPECT_NE(artifact.bytes.find(std::string("SHOAL\xffTOKEN42")), std::string::npos);
}

// libFuzzer reads the file into a string and refuses an empty string, so a missing and an
// empty file get one line and exit code 1; a file of comments only has no entries and no
// "Dictionary:" line.
TEST(BadInput, AnEmptyOrMissingDictionaryIsAnErrorAndACommentsOnlyOneHasNoEntries) {
  TempDir dir;
  WriteFile(dir.Join("empty.dict"), "");
  for (const char* dict : {"-dict=empty.dict", "-dict=missing.dict"}) {
    RunResult run = RunProcess(Harness("empty"), {"-runs=10", dict}, dir.path());
    SHOAL_EXPECT_EXIT(run, 1);
    EXPECT_TRUE(HasLine(run.output, "ParseDictionaryFile: file does not exist or is empty"))
        << dict << "\n"
        << run.output;
    EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << run.output;
  }
  WriteFile(dir.Join("comments.dict"), "# nothing yet\n\n");
  RunResult run = RunProcess(Harness("empty"), {"-runs=10", "-dict=comments.dict"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 0);
  EXPECT_FALSE(HasLineContaining(run.output, "Dictionary:")) << run.output;
  EXPECT_TRUE(FindLine(run.output, R"(Done 10 runs in \d+ second\(s\))")) << run.output;
}

// ---- 5. Directories that cannot be opened ----------------------------------------------------

// The tests run as root, whom chmod 000 does not stop. Dropping the two capabilities that
// bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) makes root an ordinary
// owner again; the harness keeps access to everything else (its runfiles, the temp dir).
std::vector<std::string> WithoutPermissionOverride(const std::string& binary,
                                                   std::vector<std::string> args) {
  if (geteuid() != 0) {
    args.insert(args.begin(), binary);
    return args;
  }
  std::vector<std::string> wrapped = {"--inh-caps=-dac_override,-dac_read_search",
                                      "--bounding-set=-dac_override,-dac_read_search", binary};
  wrapped.insert(wrapped.end(), args.begin(), args.end());
  return wrapped;
}

RunResult RunWithoutPermissionOverride(const std::string& binary,
                                       const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> argv = WithoutPermissionOverride(binary, args);
  if (geteuid() != 0) {
    std::string program = argv[0];
    argv.erase(argv.begin());
    return RunProcess(program, argv, dir.path());
  }
  return RunProcess("/usr/bin/setpriv", argv, dir.path());
}

// Makes `name` (under dir) unreadable for the test's lifetime and puts it back afterwards, so
// the temp dir can be removed.
class Unreadable {
 public:
  Unreadable(const TempDir& dir, const std::string& name) : path_(dir.Join(name)) {
    chmod(path_.c_str(), 0);
  }
  ~Unreadable() { chmod(path_.c_str(), 0755); }

 private:
  std::string path_;
};

// Whether `ls` on the directory fails the way the harness will; false where it cannot be
// arranged (e.g. a sandbox that forbids setpriv).
bool CannotBeListed(const TempDir& dir, const std::string& name) {
  RunResult ls = RunWithoutPermissionOverride("/bin/ls", {name}, dir);
  return ls.Exited() && ls.exit_code != 0 &&
         ls.output.find("Permission denied") != std::string::npos;
}

#define SKIP_UNLESS_UNREADABLE(dir, name)                                            \
  if (!CannotBeListed(dir, name))                                                    \
  GTEST_SKIP() << "cannot make a directory unreadable here (no setpriv, or running " \
                  "with permissions that bypass chmod)"

// libFuzzer 14: "Permission denied: <dir>; exiting", exit code 1, for the corpus directory or
// any directory under it. Shoal used to print "0 files found" and fuzz on (exit 0).
TEST(BadInput, AnUnreadableCorpusDirectoryEndsTheRunLikeLibFuzzer) {
  TempDir dir;
  MakeDir(dir, "out");
  MakeDir(dir, "corp");
  WriteFile(dir.Join("corp/seed"), "a");
  Unreadable unreadable(dir, "corp");
  SKIP_UNLESS_UNREADABLE(dir, "corp");
  std::vector<std::vector<std::string>> variants = {{}};
  if (Engine() == "shoal") variants = {{"-workers=0"}, {"-workers=1"}};
  for (std::vector<std::string> args : variants) {
    args.insert(args.end(), {"-runs=10", "out", "corp"});
    RunResult run = RunWithoutPermissionOverride(Harness("branchy"), args, dir);
    SHOAL_EXPECT_EXIT(run, 1);
    ExpectLinesInOrder(run.output,
                       {"INFO:        0 files found in out", "Permission denied: corp; exiting"});
    EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << run.output;
  }
}

TEST(BadInput, AnUnreadableDirectoryInsideTheCorpusEndsTheRunLikeLibFuzzer) {
  TempDir dir;
  MakeDir(dir, "corp");
  MakeDir(dir, "corp/sub");
  WriteFile(dir.Join("corp/seed"), "a");
  WriteFile(dir.Join("corp/sub/seed"), "b");
  Unreadable unreadable(dir, "corp/sub");
  SKIP_UNLESS_UNREADABLE(dir, "corp/sub");
  RunResult run = RunWithoutPermissionOverride(Harness("branchy"), {"-runs=10", "corp"}, dir);
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "Permission denied: corp/sub; exiting")) << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED.*)")) << run.output;
}

TEST(BadInput, AnUnreadableMergeInputEndsTheMergeLikeLibFuzzer) {
  TempDir dir;
  MakeDir(dir, "out");
  MakeDir(dir, "in");
  WriteFile(dir.Join("in/seed"), "a");
  Unreadable unreadable(dir, "in");
  SKIP_UNLESS_UNREADABLE(dir, "in");
  RunResult run = RunWithoutPermissionOverride(Harness("branchy"), {"-merge=1", "out", "in"}, dir);
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(HasLine(run.output, "Permission denied: in; exiting")) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "MERGE-OUTER: ")) << run.output;
  EXPECT_TRUE(ListDir(dir.Join("out")).empty());
}

// A directory under a merge's input or output dir: libFuzzer 14 lists every dir before it
// starts, and ends the merge at the first one it cannot open, with the same line and exit
// code 1, writing nothing. Shoal used to leave the directory out and merge the rest (exit 0).
TEST(BadInput, AnUnreadableDirectoryInsideAMergeDirEndsTheMergeLikeLibFuzzer) {
  for (const std::string parent : {"in", "out"}) {
    SCOPED_TRACE(parent + "/sub cannot be read");
    TempDir dir;
    MakeDir(dir, "out");
    MakeDir(dir, "in");
    MakeDir(dir, parent + "/sub");
    WriteFile(dir.Join("in/seed"), "a");
    WriteFile(dir.Join(parent + "/sub/seed"), "b");
    Unreadable unreadable(dir, parent + "/sub");
    SKIP_UNLESS_UNREADABLE(dir, parent + "/sub");
    RunResult run =
        RunWithoutPermissionOverride(Harness("branchy"), {"-merge=1", "out", "in"}, dir);
    SHOAL_EXPECT_EXIT(run, 1);
    EXPECT_TRUE(HasLine(run.output, "Permission denied: " + parent + "/sub; exiting"))
        << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "MERGE-OUTER: ")) << run.output;
    EXPECT_FALSE(HasLineContaining(run.output, "MERGE-INNER: ")) << run.output;
    EXPECT_EQ(ListDir(dir.Join("out")), parent == "out" ? std::vector<std::string>{"sub"}
                                                        : std::vector<std::string>{});
  }
}

// ---- 6. An output corpus directory that cannot be written ----------------------------------

// Makes `name` (under dir) read-only for the test's lifetime, and writable again afterwards.
class ReadOnly {
 public:
  ReadOnly(const TempDir& dir, const std::string& name) : path_(dir.Join(name)) {
    chmod(path_.c_str(), 0555);
  }
  ~ReadOnly() { chmod(path_.c_str(), 0755); }

 private:
  std::string path_;
};

// libFuzzer 14 writes each new unit with fopen() and says nothing when that fails: the run
// finds its units, writes none and exits 0 without a word. Shoal says it once, whether the
// coordinator writes the units (-workers=1) or the in-process engine does (-workers=0, which
// used to print a line for every NEW and REDUCE unit), and otherwise runs as libFuzzer does.
TEST(BadInput, AnUnwritableOutputCorpusIsReportedOnce) {
  TempDir dir;
  MakeDir(dir, "out");
  ReadOnly read_only(dir, "out");
  RunResult touch = RunWithoutPermissionOverride("/usr/bin/touch", {"out/probe"}, dir);
  if (!touch.Exited() || touch.exit_code == 0)
    GTEST_SKIP() << "cannot make a directory unwritable here (no setpriv, or running with "
                    "permissions that bypass chmod)";
  std::vector<std::vector<std::string>> variants = {{}};
  if (Engine() == "shoal") variants = {{"-workers=1"}, {"-workers=0"}};
  for (std::vector<std::string> args : variants) {
    SCOPED_TRACE(args.empty() ? "libFuzzer" : args[0]);
    args.insert(args.end(), {"-seed=1", "-runs=20000", "out"});
    RunResult run = RunWithoutPermissionOverride(Harness("branchy"), args, dir);
    SHOAL_EXPECT_EXIT(run, 0);
    // Several units failed to be written, so a warning per unit would show.
    ASSERT_GE(CountLines(run.output, R"(#\d+\t(NEW   |REDUCE) .*)"), 3) << run.output;
    EXPECT_TRUE(FindLine(run.output, R"(Done 20000 runs in \d+ second\(s\))")) << run.output;
    EXPECT_TRUE(ListDir(dir.Join("out")).empty());
    if (Engine() == "shoal") {
      EXPECT_EQ(CountLines(run.output,
                           R"(WARNING: failed to write the corpus file 'out/[0-9a-f]{40}' )"
                           R"(\(Permission denied\); new units stay in memory only and are )"
                           R"(lost at exit \(this warning is not repeated\))"),
                1)
          << run.output;
      EXPECT_EQ(CountLines(run.output, ".*failed to write.*"), 1) << run.output;
    } else {
      EXPECT_FALSE(HasLineContaining(run.output, "failed to write")) << run.output;
      EXPECT_FALSE(HasLineContaining(run.output, "WARNING")) << run.output;
    }
  }
}

}  // namespace
}  // namespace shoal_test

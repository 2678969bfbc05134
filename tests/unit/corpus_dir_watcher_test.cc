// Unit tests of CorpusDirWatcher (-reload's incremental scan of the output corpus): a
// directory of 20k files is stat()ed once, later looks stat only new names and skip reading a
// directory that has not changed, and a file another process writes between two looks is
// reported exactly once. Run by Bazel as a plain test process (no fuzz target involved).
#include "runtime/common/corpus_dir_watcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "runtime/common/files.h"

namespace fuzzer {
namespace {

const uint8_t* U(const char* s) { return reinterpret_cast<const uint8_t*>(s); }

// A fresh directory under TEST_TMPDIR (or /tmp), removed with everything in it at the end.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = getenv("TEST_TMPDIR");
    std::string dir_template = std::string(base ? base : "/tmp") + "/shoal_watcher_XXXXXX";
    std::vector<char> buffer(dir_template.begin(), dir_template.end());
    buffer.push_back(0);
    path_ = mkdtemp(buffer.data());
  }
  ~ScratchDir() { system(("rm -rf '" + path_ + "'").c_str()); }
  std::string Join(const std::string& name) const { return JoinPath(path_, name); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> Paths(const std::vector<SizedFile>& files) {
  std::vector<std::string> paths;
  for (const SizedFile& file : files) paths.push_back(file.path);
  return paths;
}

void Write(const std::string& path, const std::string& contents) {
  ASSERT_TRUE(WriteFileAtomically(path, U(contents.c_str()), contents.size())) << path;
}

// The mtime of the directory is left an hour in the past, as after a long quiet spell.
void AgeDirectory(const std::string& dir) {
  struct timespec times[2];
  clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 3600;
  times[1] = times[0];
  ASSERT_EQ(utimensat(AT_FDCWD, dir.c_str(), times, 0), 0);
}

// Writes path atomically from a child process, as another coordinator would.
void WriteFromAnotherProcess(const std::string& path, const std::string& contents) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0)
    _exit(WriteFileAtomically(path, U(contents.c_str()), contents.size()) ? 0 : 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(CorpusDirWatcherTest, AtTwentyThousandFilesLaterLooksStatOnlyTheNewNames) {
  ScratchDir scratch;
  constexpr int kFiles = 20000;
  std::vector<std::string> expected;
  for (int i = 0; i < kFiles; i++) {
    char name[32];
    snprintf(name, sizeof(name), "u%06d", i);
    std::string path = scratch.Join(name);
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(write(fd, "x", 1), 1);
    close(fd);
    expected.push_back(path);
  }
  AgeDirectory(scratch.path());
  CorpusDirWatcher watcher(scratch.path());
  watcher.MarkKnown(expected[0]);  // a seed read at start-up
  std::vector<SizedFile> first = watcher.TakeNewFiles();
  EXPECT_EQ(Paths(first), std::vector<std::string>(expected.begin() + 1, expected.end()));
  EXPECT_EQ(watcher.entry_stats(), size_t(kFiles - 1));  // the seed is never stat()ed
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].size, 1u);

  // Three new files (one written by another process) and one this process marks before
  // writing it: only the three are stat()ed and returned.
  Write(scratch.Join("new-a"), "aa");
  WriteFromAnotherProcess(scratch.Join("new-b"), "bbb");
  Write(scratch.Join("a-first"), "f");
  watcher.MarkKnown(scratch.Join("own"));
  Write(scratch.Join("own"), "o");
  std::vector<SizedFile> second = watcher.TakeNewFiles();
  EXPECT_EQ(Paths(second), (std::vector<std::string>{scratch.Join("a-first"),
                                                     scratch.Join("new-a"),
                                                     scratch.Join("new-b")}));
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[2].size, 3u);
  EXPECT_EQ(watcher.entry_stats(), size_t(kFiles - 1 + 3));
  // Nothing new: nothing returned, nothing stat()ed.
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
  EXPECT_EQ(watcher.entry_stats(), size_t(kFiles - 1 + 3));
}

TEST(CorpusDirWatcherTest, AnUnchangedDirectoryIsNotReadOnceSettledAndNewFilesAreSeenOnce) {
  ScratchDir scratch;
  ASSERT_TRUE(MakeDirectories(scratch.Join("sub")));
  Write(scratch.Join("a"), "a");
  Write(scratch.Join("sub/b"), "b");
  CorpusDirWatcher watcher(scratch.path());
  EXPECT_EQ(Paths(watcher.TakeNewFiles()),
            (std::vector<std::string>{scratch.Join("a"), scratch.Join("sub/b")}));
  // A directory is read again until a read has started 2 s after its mtime was first seen
  // (a file added in the same mtime tick must not be missed); after that, not at all.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(watcher.TakeNewFiles().empty());  // the settling read
  size_t reads = watcher.directory_reads();
  size_t stats = watcher.entry_stats();
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
  EXPECT_EQ(watcher.directory_reads(), reads);
  EXPECT_EQ(watcher.entry_stats(), stats);

  // A file another process writes into the sub-directory (the parent's mtime stays) and one
  // into the top directory: each is returned exactly once.
  WriteFromAnotherProcess(scratch.Join("sub/c"), "cc");
  EXPECT_EQ(Paths(watcher.TakeNewFiles()), std::vector<std::string>{scratch.Join("sub/c")});
  WriteFromAnotherProcess(scratch.Join("d"), "ddd");
  std::vector<SizedFile> fresh = watcher.TakeNewFiles();
  EXPECT_EQ(Paths(fresh), std::vector<std::string>{scratch.Join("d")});
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].size, 3u);
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
}

TEST(CorpusDirWatcherTest, TempFilesOfEveryMachineAreNeverReported) {
  ScratchDir scratch;
  CorpusDirWatcher watcher(scratch.path());
  EXPECT_TRUE(watcher.TakeNewFiles().empty());
  for (const char* name : {".shoal-tmp.other-host.12.3", ".shoal-tmp.12.3"}) {
    int fd = open(scratch.Join(name).c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "half", 4), 4);
    close(fd);
  }
  Write(scratch.Join("whole"), "whole");
  EXPECT_EQ(Paths(watcher.TakeNewFiles()), std::vector<std::string>{scratch.Join("whole")});
  // The temp file renamed into place (what an atomic write finishes with) is then reported.
  ASSERT_EQ(rename(scratch.Join(".shoal-tmp.other-host.12.3").c_str(),
                   scratch.Join("finished").c_str()),
            0);
  std::vector<SizedFile> fresh = watcher.TakeNewFiles();
  EXPECT_EQ(Paths(fresh), std::vector<std::string>{scratch.Join("finished")});
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].size, 4u);
}

}  // namespace
}  // namespace fuzzer

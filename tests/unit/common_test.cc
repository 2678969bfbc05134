// Unit tests for the shared helpers: SHA-1, encodings, atomic files and corpus listings, the
// output corpus writer, the input slot. Run by Bazel as a plain test process (no fuzz target involved).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/common/corpus_file_writer.h"
#include "runtime/common/encoding.h"
#include "runtime/common/files.h"
#include "runtime/common/input_slot.h"
#include "runtime/common/sha1.h"

namespace fuzzer {
namespace {

const uint8_t* U(const char* s) { return reinterpret_cast<const uint8_t*>(s); }

void WriteFile(const std::string& path, const std::string& contents) {
  ASSERT_TRUE(WriteFileAtomically(path, U(contents.c_str()), contents.size())) << path;
}

TEST(Sha1Test, KnownVectors) {
  EXPECT_EQ(Sha1Hex(U(""), 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex(U("abc"), 3), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex(U("HI!"), 3), "7a8dc3985d2a90fb6e62e94910fc11d31949c348");  // libFuzzer capture
  std::string long_input(1000, 'a');  // crosses several 64-byte blocks
  EXPECT_EQ(Sha1Hex(U(long_input.c_str()), long_input.size()),
            "291e9a6c66994949b57ba5e650361e98fc36b1ba");
  EXPECT_EQ(Sha1Hex(U("\n"), 1), "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc");
}

TEST(EncodingTest, MatchesLibFuzzerArtifactBlock) {
  EXPECT_EQ(Base64(U("HI!"), 3), "SEkh");
  EXPECT_EQ(Base64(U("TO"), 2), "VE8=");
  EXPECT_EQ(Base64(U("ML\0\0\0"), 5), "TUwAAAA=");
  EXPECT_EQ(HexBytes(U("HI!"), 3), "0x48,0x49,0x21,");
  EXPECT_EQ(EscapedAscii(U("ML\0\0\0\n"), 6), "ML\\000\\000\\000\\012");
  EXPECT_EQ(EscapedAscii(U("a\\\"b"), 4), "a\\\\\\\"b");
  EXPECT_EQ(FormatSize(6), "6b");
  EXPECT_EQ(FormatSize(16383), "16383b");
  EXPECT_EQ(FormatSize(20000), "19Kb");
  EXPECT_EQ(FormatSize(20 << 20), "20Mb");
}

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    char dir_template[] = "/tmp/shoal_files_test_XXXXXX";
    path_ = mkdtemp(dir_template);
  }
  ~ScratchDir() { system(("rm -rf " + path_).c_str()); }
  std::string Join(const std::string& name) const { return JoinPath(path_, name); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every entry of dir as readdir sees it, hidden ones included (not via the listing under
// test, which skips temp files).
std::vector<std::string> RawEntries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* entry = readdir(d))
    if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) names.push_back(entry->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> ListedPaths(const std::string& dir) {
  std::vector<SizedFile> files;
  EXPECT_TRUE(ListFilesRecursively(dir, &files));
  std::vector<std::string> paths;
  for (const SizedFile& file : files) paths.push_back(file.path);
  return paths;
}

TEST(FilesTest, AtomicWriteLeavesNoTempFile) {
  ScratchDir scratch;
  const std::string& dir = scratch.path();
  std::string path = JoinPath(dir, "x");
  ASSERT_TRUE(WriteFileAtomically(path, U("abc"), 3));
  ASSERT_TRUE(WriteFileAtomically(path, U("abc"), 3));  // over an existing file too
  EXPECT_EQ(RawEntries(dir), std::vector<std::string>{"x"});
  Bytes read;
  ASSERT_TRUE(ReadFile(path, &read));
  EXPECT_EQ(std::string(read.begin(), read.end()), "abc");
  std::vector<SizedFile> files;
  ASSERT_TRUE(ListFilesRecursively(dir, &files));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, path);
  EXPECT_EQ(files[0].size, 3u);
  // A write into a missing directory fails cleanly.
  EXPECT_FALSE(WriteFileAtomically(JoinPath(dir, "missing/x"), U("abc"), 3));
  ASSERT_TRUE(MakeDirectories(JoinPath(dir, "a/b/c")));
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "a/b/c/y"), U("z"), 1));
  EXPECT_EQ(RawEntries(JoinPath(dir, "a/b/c")), std::vector<std::string>{"y"});
  // A fifo is not a corpus file; a symlink to a file is.
  ASSERT_EQ(mkfifo(JoinPath(dir, "a/fifo").c_str(), 0600), 0);
  ASSERT_EQ(symlink(JoinPath(dir, "x").c_str(), JoinPath(dir, "link").c_str()), 0);
  files.clear();
  ASSERT_TRUE(ListFilesRecursively(dir, &files));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, JoinPath(dir, "a/b/c/y"));
  EXPECT_EQ(files[0].size, 1u);
  EXPECT_EQ(files[1].path, JoinPath(dir, "link"));
  EXPECT_EQ(files[1].size, 3u);
  EXPECT_EQ(files[2].path, path);
  EXPECT_EQ(DirName("a/b"), "a");
  EXPECT_EQ(DirName("b"), ".");
}

TEST(FilesTest, OnlyExactlyTheTempFilesOfAtomicWritesAreLeftOut) {
  EXPECT_TRUE(IsAtomicWriteTempName(".shoal-tmp.4242.0"));
  EXPECT_TRUE(IsAtomicWriteTempName(".shoal-tmp.1.18446744073709551615"));
  EXPECT_FALSE(IsAtomicWriteTempName("x.tmp.1"));  // the old pattern: a plausible seed name
  EXPECT_FALSE(IsAtomicWriteTempName("seed.tmp.4242"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.4242"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.4242."));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp..1"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.42.1.x"));
  EXPECT_FALSE(IsAtomicWriteTempName("a.shoal-tmp.42.1"));

  // Every machine's temp files, whatever its host name.
  EXPECT_TRUE(IsAtomicWriteTempName(".shoal-tmp.fuzz-box_2.4242.0"));
  EXPECT_TRUE(IsAtomicWriteTempName(".shoal-tmp.777.4242.0"));  // an all-digit host name
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.fuzz.box.4242.0"));  // hosts carry no dots
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.fuzz-box.4242"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.fuzz-box.4242.0.1"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp..4242.0"));
  EXPECT_FALSE(IsAtomicWriteTempName(".shoal-tmp.fuzz box.4242.0"));

  ScratchDir scratch;
  for (const char* name : {"x.tmp.1", "a.tmp.b", ".tmp.7", ".shoal-tmp.9", ".shoal-tmp.12.3",
                           ".shoal-tmp.other-host.12.3", ".shoal-tmp.a.b.c"})
    ASSERT_TRUE(WriteFileAtomically(scratch.Join(name), U("s"), 1)) << name;
  EXPECT_EQ(ListedPaths(scratch.path()),
            (std::vector<std::string>{scratch.Join(".shoal-tmp.9"), scratch.Join(".shoal-tmp.a.b.c"),
                                      scratch.Join(".tmp.7"), scratch.Join("a.tmp.b"),
                                      scratch.Join("x.tmp.1")}));
}

// Temp file names carry this machine's host name (as gethostname gives it, reduced to a safe
// tag) and the pid, so machines sharing a directory never share a temp file; a failed write
// leaves nothing; another machine's leftover temp file is neither listed nor touched.
TEST(FilesTest, TempFileNamesCarryTheHostNameAndPid) {
  char name[256] = {};
  ASSERT_EQ(gethostname(name, sizeof(name) - 1), 0);
  std::string tag = AtomicWriteHostTag();
  ASSERT_FALSE(tag.empty());
  ASSERT_EQ(tag.size(), std::min(strlen(name), size_t(64))) << name;
  for (size_t i = 0; i < tag.size(); i++)
    EXPECT_TRUE(tag[i] == name[i] || tag[i] == '_') << tag << " vs " << name;
  std::string own = ".shoal-tmp." + tag + "." + std::to_string(getpid()) + ".7";
  EXPECT_TRUE(IsAtomicWriteTempName(own.c_str())) << own;

  // A write that fails at the rename leaves nothing behind, and a write that succeeds leaves
  // only its file: the temp file (whatever its name) is gone either way.
  ScratchDir scratch;
  ASSERT_TRUE(MakeDirectories(scratch.Join("busy/inner")));
  EXPECT_FALSE(WriteFileAtomically(scratch.Join("busy"), U("abc"), 3));
  EXPECT_EQ(RawEntries(scratch.path()), std::vector<std::string>{"busy"});

  // Another machine's leftover temp file (same pid and counter, other host) is neither listed
  // nor touched by this machine's writes.
  std::string other = ".shoal-tmp.other-machine." + std::to_string(getpid()) + ".0";
  int fd = open(scratch.Join(other).c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "half", 4), 4);
  close(fd);
  ASSERT_TRUE(WriteFileAtomically(scratch.Join("unit"), U("whole"), 5));
  EXPECT_EQ(RawEntries(scratch.path()), (std::vector<std::string>{other, "busy", "unit"}));
  Bytes left;
  ASSERT_TRUE(ReadFile(scratch.Join(other), &left));
  EXPECT_EQ(std::string(left.begin(), left.end()), "half");
  EXPECT_EQ(ListedPaths(scratch.path()), std::vector<std::string>{scratch.Join("unit")});
}

TEST(FilesTest, DirectoryCyclesAndRepeatedDirectoriesAreListedOnce) {
  ScratchDir scratch;
  WriteFile(scratch.Join("f1"), "a");
  WriteFile(scratch.Join("f2"), "bb");
  ASSERT_EQ(symlink(".", scratch.Join("self_a").c_str()), 0);
  ASSERT_EQ(symlink(".", scratch.Join("self_b").c_str()), 0);
  ASSERT_TRUE(MakeDirectories(scratch.Join("sub")));
  WriteFile(scratch.Join("sub/f3"), "ccc");
  ASSERT_EQ(symlink("..", scratch.Join("sub/up").c_str()), 0);
  ASSERT_EQ(symlink("../sub", scratch.Join("sub/again").c_str()), 0);
  EXPECT_EQ(
      ListedPaths(scratch.path()),
      (std::vector<std::string>{scratch.Join("f1"), scratch.Join("f2"), scratch.Join("sub/f3")}));

  // Two links to one directory outside: its file once, under the first name in sorted order.
  ScratchDir outside;
  WriteFile(outside.Join("g"), "g");
  ScratchDir corpus;
  ASSERT_EQ(symlink(outside.path().c_str(), corpus.Join("l1").c_str()), 0);
  ASSERT_EQ(symlink(outside.path().c_str(), corpus.Join("l2").c_str()), 0);
  EXPECT_EQ(ListedPaths(corpus.path()), std::vector<std::string>{corpus.Join("l1/g")});
}

TEST(FilesTest, ADirectoryThatCannotBeOpenedIsReportedLikeLibFuzzer) {
  ScratchDir scratch;
  std::vector<SizedFile> files;
  std::string error;
  EXPECT_FALSE(ListFilesRecursively(scratch.Join("missing"), &files, &error));
  EXPECT_EQ(error, "No such file or directory: " + scratch.Join("missing"));
  EXPECT_TRUE(files.empty());
  // A file where a directory is expected is not listed as one either.
  WriteFile(scratch.Join("file"), "x");
  EXPECT_FALSE(ListFilesRecursively(scratch.Join("file"), &files, &error));
  EXPECT_EQ(error, "Not a directory: " + scratch.Join("file"));
}

std::string Contents(const std::string& path) {
  Bytes data;
  EXPECT_TRUE(ReadFile(path, &data)) << path;
  return std::string(data.begin(), data.end());
}

ino_t InodeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(CorpusFileWriterTest, ARetiredFileStaysWholeUntilItsInodeCarriesTheNextUnit) {
  ScratchDir dir;
  CorpusFileWriter writer;
  const std::string first = dir.Join("first"), second = dir.Join("second");
  ASSERT_TRUE(writer.Write(first, U("a long first unit"), 17));
  const ino_t inode = InodeOf(first);
  writer.Retire(first);
  EXPECT_EQ(writer.num_spares(), 1u);
  // Until a write needs it, the retired unit is on disk whole, under its own name.
  EXPECT_EQ(Contents(first), "a long first unit");
  // A shorter unit goes into its inode: exactly its bytes, and the retired name is gone.
  ASSERT_TRUE(writer.Write(second, U("short"), 5));
  EXPECT_EQ(writer.num_spares(), 0u);
  EXPECT_EQ(InodeOf(second), inode);
  EXPECT_EQ(Contents(second), "short");
  EXPECT_EQ(RawEntries(dir.path()), std::vector<std::string>{"second"});
}

TEST(CorpusFileWriterTest, SparesAreUnlinkedOnDiscardBeyondTheLimitAndAtTheEnd) {
  ScratchDir dir;
  const size_t count = CorpusFileWriter::kMaxSpares + 3;
  {
    CorpusFileWriter writer;
    for (size_t i = 0; i < count; i++)
      ASSERT_TRUE(writer.Write(dir.Join("unit" + std::to_string(i)), U("x"), 1));
    for (size_t i = 0; i < count; i++) writer.Retire(dir.Join("unit" + std::to_string(i)));
    EXPECT_EQ(writer.num_spares(), CorpusFileWriter::kMaxSpares);
    EXPECT_EQ(RawEntries(dir.path()).size(), CorpusFileWriter::kMaxSpares);
    writer.DiscardSpares();
    EXPECT_EQ(writer.num_spares(), 0u);
    EXPECT_TRUE(RawEntries(dir.path()).empty());
    ASSERT_TRUE(writer.Write(dir.Join("kept"), U("k"), 1));
    writer.Retire(dir.Join("kept"));
    writer.Retire(dir.Join("never-written"));  // nothing to keep, and no error
    EXPECT_EQ(writer.num_spares(), 1u);
  }  // the destructor discards the last spare
  EXPECT_TRUE(RawEntries(dir.path()).empty());
}

TEST(CorpusFileWriterTest, AUnitThatComesBackKeepsItsRetiredFile) {
  ScratchDir dir;
  CorpusFileWriter writer;
  const std::string path = dir.Join("unit");
  ASSERT_TRUE(writer.Write(path, U("abc"), 3));
  const ino_t inode = InodeOf(path);
  writer.Retire(path);
  ASSERT_TRUE(writer.Write(path, U("abc"), 3));  // no longer a spare: never rewritten
  EXPECT_EQ(writer.num_spares(), 0u);
  EXPECT_EQ(InodeOf(path), inode);
  ASSERT_TRUE(writer.Write(dir.Join("other"), U("xyz"), 3));
  EXPECT_EQ(Contents(path), "abc");
  EXPECT_EQ(Contents(dir.Join("other")), "xyz");
}

TEST(CorpusFileWriterTest, FilesSharedWithOtherNamesAreNeverRewritten) {
  ScratchDir dir;
  CorpusFileWriter writer;
  ASSERT_TRUE(writer.Write(dir.Join("linked"), U("seed"), 4));
  ASSERT_EQ(link(dir.Join("linked").c_str(), dir.Join("elsewhere").c_str()), 0);
  ASSERT_EQ(symlink(dir.Join("elsewhere").c_str(), dir.Join("symlink").c_str()), 0);
  writer.Retire(dir.Join("linked"));   // two names: unlinked at once
  writer.Retire(dir.Join("symlink"));  // not a regular file: unlinked at once
  EXPECT_EQ(writer.num_spares(), 0u);
  ASSERT_TRUE(writer.Write(dir.Join("new"), U("new unit"), 8));
  EXPECT_EQ(Contents(dir.Join("elsewhere")), "seed");
  EXPECT_EQ(RawEntries(dir.path()), (std::vector<std::string>{"elsewhere", "new"}));
}

TEST(CorpusFileWriterTest, ASpareRemovedBehindItsBackIsReplacedByAFreshFile) {
  ScratchDir dir;
  CorpusFileWriter writer;
  ASSERT_TRUE(writer.Write(dir.Join("old"), U("old"), 3));
  writer.Retire(dir.Join("old"));
  unlink(dir.Join("old").c_str());
  ASSERT_TRUE(writer.Write(dir.Join("new"), U("a longer unit"), 13));
  EXPECT_EQ(Contents(dir.Join("new")), "a longer unit");
  EXPECT_EQ(RawEntries(dir.path()), std::vector<std::string>{"new"});
  // A directory that does not exist fails with errno set, and leaves nothing behind.
  errno = 0;
  EXPECT_FALSE(writer.Write(dir.Join("missing/unit"), U("x"), 1));
  EXPECT_EQ(errno, ENOENT);
}

TEST(InputSlotTest, SharedSlotSurvivesTheWritersDeath) {
  auto slot = InputSlot::Create(64, /*shared=*/true);
  ASSERT_NE(slot, nullptr);
  pid_t child = fork();
  if (child == 0) {
    auto attached = InputSlot::Attach(dup(slot->fd()));
    attached->Write(U("crashing input"), 14);
    abort();  // dies like a crashing worker
  }
  int status;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(slot->data()), slot->size()),
            "crashing input");
  EXPECT_EQ(slot->generation(), 1u);
}

TEST(InputSlotTest, TruncatesToCapacity) {
  auto slot = InputSlot::Create(4, false);
  slot->Write(U("abcdef"), 6);
  EXPECT_EQ(slot->size(), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(slot->data()), 4), "abcd");
}

}  // namespace
}  // namespace fuzzer

// Unit tests for the merge control file parser and the merge selection (the coordinator's
// runtime/coordinator/merge_control_file.*): libFuzzer 14's files parse, and hostile ones
// (absurd counts, out-of-range indices, numbers that do not fit) are refused with a reason,
// without allocating from the count and without throwing. Run as a plain test process.
#include "runtime/coordinator/merge_control_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/engine/coverage.h"

namespace fuzzer {
namespace {

constexpr size_t kMaxFiles = kLibFuzzerMaxMergeFiles;

bool Parse(const std::string& text, MergeControl* control, std::string* error) {
  return ParseMergeControl(text, kMaxFiles, control, error);
}

// Expects the text to be refused, with a reason.
void ExpectBad(const std::string& text) {
  MergeControl control;
  std::string error;
  EXPECT_FALSE(Parse(text, &control, &error)) << text;
  EXPECT_FALSE(error.empty()) << text;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SHOAL_UNDER_SANITIZER 1
#endif
#endif

// Parses `text` in a child process whose address space may grow by at most 256 MiB, so an
// allocation sized from an unchecked count kills the child (std::bad_alloc) instead of the
// machine. Returns the child's wait status; it exits 0 when the text was refused.
int ParseInSmallAddressSpace(const std::string& text) {
  pid_t pid = fork();
  if (pid == 0) {
    long pages = 0;
    if (FILE* statm = fopen("/proc/self/statm", "r")) {
      if (fscanf(statm, "%ld", &pages) != 1) pages = 0;
      fclose(statm);
    }
    rlim_t limit = rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE)) + (rlim_t(256) << 20);
    struct rlimit rl = {limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
    MergeControl control;
    std::string error;
    _exit(Parse(text, &control, &error) ? 1 : 0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(MergeControlFileTest, ParsesLibFuzzersFile) {
  // libFuzzer 14's own file (../shared/reference/libfuzzer-14-outputs/
  // merge_control_file_example.txt): input 0 crashed, 1 and 2 finished.
  const std::string text =
      "3\n0\nB/3\nB/2\nB/1\n"
      "STARTED 0 7\n"
      "STARTED 1 7\nFT 1 0 16 48 64 88 112 136 152\nCOV 1 0 2 6 8 11 14 17 19\n"
      "STARTED 2 7\nFT 2 24 40\nCOV 2 3 5\n";
  MergeControl control;
  std::string error;
  ASSERT_TRUE(Parse(text, &control, &error)) << error;
  ASSERT_EQ(control.inputs.size(), 3u);
  EXPECT_EQ(control.num_in_first_corpus, 0u);
  EXPECT_EQ(control.inputs[0].path, "B/3");
  EXPECT_TRUE(control.inputs[0].started);
  EXPECT_FALSE(control.inputs[0].finished);
  EXPECT_TRUE(control.inputs[1].finished);
  EXPECT_EQ(control.inputs[1].size, 7u);
  EXPECT_EQ(control.inputs[1].features, (std::vector<uint32_t>{0, 16, 48, 64, 88, 112, 136, 152}));
  EXPECT_EQ(control.inputs[2].edges, (std::vector<uint32_t>{3, 5}));
  EXPECT_EQ(control.FirstUnstarted(), 3u);
  EXPECT_EQ(control.LastFailure(), SIZE_MAX);  // the last started input finished
}

TEST(MergeControlFileTest, TheLastStartedInputWithoutFtIsTheLastFailure) {
  MergeControl control;
  std::string error;
  ASSERT_TRUE(Parse("3\n1\na\nb\nc\nSTARTED 0 1\nFT 0 1\nCOV 0 1\nSTARTED 1 2\n", &control, &error))
      << error;
  EXPECT_EQ(control.LastFailure(), 1u);
  EXPECT_EQ(control.FirstUnstarted(), 2u);
  EXPECT_EQ(control.NumStarted(), 2u);
  // A header alone: nothing started yet.
  ASSERT_TRUE(Parse("2\n0\na\nb\n", &control, &error)) << error;
  EXPECT_EQ(control.FirstUnstarted(), 0u);
  EXPECT_EQ(control.LastFailure(), SIZE_MAX);
}

TEST(MergeControlFileTest, RefusesAbsurdFileCounts) {
  ExpectBad("268435456\n0\na\n");             // 2^28
  ExpectBad("100000000\n0\na\n");             // 1e8 written out
  ExpectBad("1e8\n0\na\n");                   // not a plain decimal
  ExpectBad("18446744073709551616\n0\na\n");  // 2^64: does not fit
  ExpectBad("99999999999999999999\n0\na\n");  // 20 digits
  ExpectBad("12345678901234567890\n0\na\n");  // fits 64 bits, far above the limit
  ExpectBad("-1\n0\na\n");
  ExpectBad("0\n0\n");        // libFuzzer refuses an empty merge's file as well
  ExpectBad("3\n0\na\nb\n");  // fewer paths than announced
  ExpectBad("2\n3\na\nb\n");  // more in the first corpus than in all
  ExpectBad("2\n99999999999999999999\na\nb\n");
  ExpectBad("");
  ExpectBad("2\n");
}

TEST(MergeControlFileTest, CountsAreCheckedAgainstTheCallersLimit) {
  MergeControl control;
  std::string error;
  EXPECT_FALSE(ParseMergeControl("3\n0\na\nb\nc\n", 2, &control, &error));
  EXPECT_NE(error.find("more than 2"), std::string::npos) << error;
  EXPECT_TRUE(ParseMergeControl("3\n0\na\nb\nc\n", 3, &control, &error)) << error;
}

TEST(MergeControlFileTest, AbsurdCountsAllocateNothing) {
#ifdef SHOAL_UNDER_SANITIZER
  GTEST_SKIP() << "sanitizers reserve more address space than the limit allows";
#else
  for (const char* text : {"268435456\n0\na\n", "100000000\n0\na\nb\n", "10000000\n0\nx\n"}) {
    int status = ParseInSmallAddressSpace(text);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << text << ": wait status " << status;
  }
#endif
}

TEST(MergeControlFileTest, RefusesRecordsLibFuzzerWouldMisread) {
  const std::string header = "2\n0\na\nb\n";
  ExpectBad(header + "STARTED 1 5\n");                            // out of sequence
  ExpectBad(header + "STARTED 0 5\nSTARTED 0 5\n");               // twice
  ExpectBad(header + "STARTED 0 5\nSTARTED 1 5\nSTARTED 2 5\n");  // past the count
  ExpectBad(header + "STARTED 0 5\nSTARTED 1 5\nFT 0 7\n");       // FT not for the last one
  ExpectBad(header + "FT 0 7\n");                                 // FT before any STARTED
  ExpectBad(header + "STARTED 0 5\nCOV 1 7\n");
  ExpectBad(header + "STARTED 4294967296 5\n");  // index does not fit 32 bits
  ExpectBad(header + "STARTED 99999999999999999999 5\n");
  ExpectBad(header + "STARTED 0 -5\n");
  ExpectBad(header + "STARTED 0 99999999999999999999\n");  // size does not fit
  ExpectBad(header + "STARTED 0 5\nFT 0 4294967296\n");    // feature does not fit
  ExpectBad(header + "STARTED 0 5\nFT 0 12x\n");
  ExpectBad(header + "STARTED 0 5\nCOV 0 99999999999\n");
  ExpectBad(header + "DONE 0\n");
  ExpectBad(header + "STARTED\n");
  ExpectBad(header + "\n");
  ExpectBad("2\n0\na\n\n");  // an empty path
}

TEST(MergeControlFileTest, FoldsFeatureIdsIntoTheFeatureSpace) {
  // libFuzzer writes raw ids (value profile, big binaries); Shoal's collector folds them.
  MergeControl control;
  std::string error;
  ASSERT_TRUE(Parse("1\n0\na\nSTARTED 0 3\nFT 0 7 " + std::to_string(kFeatureSpaceSize + 7) +
                        " 4294967295\nCOV 0 9\n",
                    &control, &error))
      << error;
  EXPECT_EQ(control.inputs[0].features,
            (std::vector<uint32_t>{7, uint32_t(4294967295u % kFeatureSpaceSize)}));
  for (uint32_t feature : control.inputs[0].features) EXPECT_LT(feature, kFeatureSpaceSize);
}

TEST(MergeControlFileTest, HeaderAndRecordsRoundTrip) {
  MergeControl control;
  control.num_in_first_corpus = 1;
  control.inputs.resize(2);
  control.inputs[0].path = "out/x";
  control.inputs[1].path = "in/y";
  std::string text = MergeControlHeader(control) + MergeStartedLine(0, 4) +
                     MergeResultLines(0, {1, 2}, {3}) + MergeStartedLine(1, 9);
  MergeControl parsed;
  std::string error;
  ASSERT_TRUE(Parse(text, &parsed, &error)) << error;
  EXPECT_EQ(parsed.num_in_first_corpus, 1u);
  EXPECT_EQ(parsed.inputs[1].path, "in/y");
  EXPECT_EQ(parsed.inputs[0].features, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(parsed.inputs[1].size, 9u);
  EXPECT_EQ(parsed.LastFailure(), 1u);
}

TEST(MergeControlFileTest, SelectionPrefersTheSmallerOfTwoInputsWithTheSameFeatures) {
  // ClusterFuzz's two-step merge: the 6-byte input's record comes from the first step, the
  // 5-byte one (same features) from the second; the smaller one is taken.
  MergeControl control;
  control.inputs.resize(2);
  control.inputs[0].path = "new/small";
  control.inputs[0].size = 5;
  control.inputs[1].path = "corpus/large";
  control.inputs[1].size = 6;
  for (MergeInput& input : control.inputs) {
    input.started = input.finished = true;
    input.features = {0, 16, 40};
    input.edges = {0, 2, 5};
  }
  size_t new_features = 0, new_edges = 0;
  EXPECT_EQ(SelectForMerge(control, &new_features, &new_edges), std::vector<size_t>{0});
  EXPECT_EQ(new_features, 3u);
  EXPECT_EQ(new_edges, 3u);
}

// A finished input of the second group, with its features (edges: the same numbers).
MergeInput Finished(const std::string& path, size_t size, std::vector<uint32_t> features) {
  MergeInput input;
  input.path = path;
  input.size = size;
  input.started = input.finished = true;
  input.edges = features;
  input.features = std::move(features);
  return input;
}

// The first corpus knows feature 1; then a (1 byte: 1, 2), b (10 bytes: 2, 3, 4), c (2 bytes:
// 4), and d, which crashed (started, no FT) although it would add feature 5.
MergeControl FourCandidates() {
  MergeControl control;
  control.num_in_first_corpus = 1;
  control.inputs.push_back(Finished("out/known", 3, {1}));
  control.inputs.push_back(Finished("in/a", 1, {1, 2}));
  control.inputs.push_back(Finished("in/b", 10, {2, 3, 4}));
  control.inputs.push_back(Finished("in/c", 2, {4}));
  MergeInput crashed = Finished("in/d", 1, {5});
  crashed.finished = false;
  control.inputs.push_back(crashed);
  return control;
}

TEST(MergeControlFileTest, MergeTakesSmallestFirstWhatAddsAFeatureAndNeverACrashedInput) {
  size_t new_features = 0, new_edges = 0;
  EXPECT_EQ(SelectForMerge(FourCandidates(), &new_features, &new_edges),
            (std::vector<size_t>{1, 3, 2}));
  EXPECT_EQ(new_features, 3u);  // 2, 4, 3: feature 1 was known, 5 only the crashed input has
  EXPECT_EQ(new_edges, 3u);
}

TEST(MergeControlFileTest, SetCoverMergeTakesTheInputAddingTheMostFeaturesFirst) {
  size_t new_features = 0, new_edges = 0;
  // b adds three; after it, a and c add nothing.
  EXPECT_EQ(SelectForSetCoverMerge(FourCandidates(), &new_features, &new_edges),
            std::vector<size_t>{2});
  EXPECT_EQ(new_features, 3u);
  EXPECT_EQ(new_edges, 3u);

  // Of two inputs adding as much, the smaller first; one that adds nothing once it is taken
  // is left out.
  MergeControl ties;
  ties.inputs.push_back(Finished("in/large", 9, {7, 8}));
  ties.inputs.push_back(Finished("in/small", 4, {8, 9}));
  ties.inputs.push_back(Finished("in/nothing_new", 1, {8}));
  EXPECT_EQ(SelectForSetCoverMerge(ties, &new_features, &new_edges), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(new_features, 3u);
}

}  // namespace
}  // namespace fuzzer

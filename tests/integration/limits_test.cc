// Integration tests: resource limits and leaks. Timeout (exit 70), RSS limit and
// single-malloc limit (exit 71), and LeakSanitizer leaks (exit 77) must be
// detected while fuzzing with libFuzzer 14's banners, written as timeout-/oom-/
// leak-<sha1> artifacts, and reproduce when the harness is run on the artifact.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/runner.h"
#include "tests/integration/test_support.h"

namespace shoal_test {
namespace {

// 2-byte prefix bugs: libFuzzer 14 needs 1k-40k runs over 20 seeds.
constexpr char kPrefixBudget[] = "-runs=2000000";

constexpr char kTimeoutBanner[] = R"(==\d+== ERROR: libFuzzer: timeout after \d+ seconds)";
constexpr char kAlarm[] = R"(ALARM: working on the last Unit for \d+ seconds)";
constexpr char kRssBanner[] =
    R"(==\d+== ERROR: libFuzzer: out-of-memory \(used: (\d+)Mb; limit: 300Mb\))";
constexpr char kMallocBanner[] =
    R"(==\d+== ERROR: libFuzzer: out-of-memory \(malloc\(3221225472\)\))";
constexpr char kOomHint[] = "   To change the out-of-memory limit use -rss_limit_mb=<N>";
constexpr char kLeakBanner[] = R"(==\d+==ERROR: LeakSanitizer: detected memory leaks)";
constexpr char kLeakHint[] = "INFO: to ignore leaks on libFuzzer side use -detect_leaks=0.";
constexpr char kTargetFrame[] = R"(\s+#\d+ 0x[0-9a-f]+ in LLVMFuzzerTestOneInput .*)";
constexpr char kDoneLine[] = R"(Done \d+ runs in \d+ second\(s\))";
constexpr char kMsLine[] = R"(MS: \d+ .*; base unit: [0-9a-f]{40})";
constexpr char kArtifactLine[] = R"(artifact_prefix='.*'; Test unit written to .*)";

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

TEST(Limits, TimeoutIsReportedWithArtifactAndReproduces) {
  TempDir dir;
  const std::string h = Harness("timeout");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget, "-timeout=1"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 70);
  EXPECT_TRUE(FindLine(run.output, kAlarm)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "       and the timeout value is 1 (use -timeout=N to change)"))
      << run.output;
  EXPECT_TRUE(FindLine(run.output, kTimeoutBanner)) << run.output;
  EXPECT_TRUE(FindLine(run.output, kTargetFrame)) << "no target frame in the stack\n" << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: timeout")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "timeout");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "TO"));
  // The artifact is written from the alarm handler before the banner.
  ExpectLinesInOrder(run.output,
                     {kAlarm, "       and the timeout value is 1 .*", kMsLine, kArtifactLine,
                      "Base64: .*", kTimeoutBanner, kTargetFrame, "SUMMARY: libFuzzer: timeout"});

  RunResult rep = Reproduce(h, {"-timeout=1"}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 70);
  EXPECT_TRUE(FindLine(rep.output, kAlarm)) << rep.output;
  EXPECT_TRUE(FindLine(rep.output, kTimeoutBanner)) << rep.output;
  EXPECT_TRUE(HasLine(rep.output, "SUMMARY: libFuzzer: timeout")) << rep.output;
}

TEST(Limits, RssLimitIsReportedAsOutOfMemory) {
  TempDir dir;
  const std::string h = Harness("rss_oom");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget, "-rss_limit_mb=300"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 71);
  auto banner = FindLine(run.output, kRssBanner);
  ASSERT_TRUE(banner) << run.output;
  EXPECT_GT(std::stoi((*banner)[1]), 300) << "reported usage must exceed the limit";
  EXPECT_TRUE(HasLine(run.output, kOomHint)) << run.output;
  // libFuzzer asks ASan for the heap profile (__sanitizer_print_memory_profile).
  EXPECT_TRUE(HasLineContaining(run.output, "Live Heap Allocations: ")) << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: out-of-memory")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "oom");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "OM"));
  ExpectLinesInOrder(run.output, {kRssBanner, kOomHint, "Live Heap Allocations: .*", kMsLine,
                                  kArtifactLine, "SUMMARY: libFuzzer: out-of-memory"});

  RunResult rep = Reproduce(h, {"-rss_limit_mb=300"}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 71);
  EXPECT_TRUE(FindLine(rep.output, kRssBanner)) << rep.output;
  EXPECT_TRUE(HasLine(rep.output, "SUMMARY: libFuzzer: out-of-memory")) << rep.output;
}

TEST(Limits, MallocLimitCatchesOneHugeMalloc) {
  TempDir dir;
  const std::string h = Harness("malloc_limit");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget, "-malloc_limit_mb=300"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 71);
  EXPECT_TRUE(FindLine(run.output, kMallocBanner)) << run.output;
  EXPECT_TRUE(HasLine(run.output, kOomHint)) << run.output;
  EXPECT_TRUE(FindLine(run.output, kTargetFrame)) << "no target frame in the stack\n" << run.output;
  EXPECT_TRUE(HasLine(run.output, "SUMMARY: libFuzzer: out-of-memory")) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "oom");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "ML"));
  ExpectLinesInOrder(run.output, {kMallocBanner, kOomHint, kTargetFrame, kMsLine, kArtifactLine,
                                  "SUMMARY: libFuzzer: out-of-memory"});

  RunResult rep = Reproduce(h, {"-malloc_limit_mb=300"}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 71);
  EXPECT_TRUE(FindLine(rep.output, kMallocBanner)) << rep.output;
}

// 1000 MB, not 300: ASan's shadow for a 3 GB chunk alone adds ~400 MB of RSS,
// which would let the RSS watchdog race the malloc hook (seen with libFuzzer).
TEST(Limits, MallocLimitDefaultsToTheRssLimit) {
  TempDir dir;
  RunResult run =
      RunProcess(Harness("malloc_limit"), {kSeed, kPrefixBudget, "-rss_limit_mb=1000"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 71);
  EXPECT_TRUE(FindLine(run.output, kMallocBanner)) << run.output;
  EXPECT_TRUE(ExpectHashedArtifact(run, dir, "oom").ok);
}

TEST(Limits, LeakIsDetectedWhileFuzzingAndReproduces) {
  TempDir dir;
  const std::string h = Harness("leak");
  RunResult run = RunProcess(h, {kSeed, kPrefixBudget}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kLeakBanner)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "Direct leak of 40 byte(s) in 1 object(s) allocated from:"))
      << run.output;
  EXPECT_TRUE(
      HasLine(run.output, "SUMMARY: AddressSanitizer: 40 byte(s) leaked in 1 allocation(s)."))
      << run.output;
  EXPECT_TRUE(HasLine(run.output, kLeakHint)) << run.output;
  EXPECT_FALSE(FindLine(run.output, kDoneLine)) << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "leak");
  ASSERT_TRUE(a.ok);
  EXPECT_TRUE(StartsWith(a.bytes, "LK"));
  ExpectLinesInOrder(run.output,
                     {kLeakBanner, "Direct leak of 40 byte\\(s\\) .*",
                      "SUMMARY: AddressSanitizer: 40 byte\\(s\\) leaked .*",
                      "INFO: to ignore leaks on libFuzzer side .*", kMsLine, kArtifactLine});

  // -rss_limit_mb=0: libFuzzer's in-process leak check compares malloc and free
  // counts of the whole process during the run; the RSS thread starting up right
  // then frees memory and can hide the leak (seen in ~1% of libFuzzer runs).
  RunResult rep = Reproduce(h, {"-rss_limit_mb=0"}, dir, a.shown_path);
  SHOAL_EXPECT_EXIT(rep, 77);
  EXPECT_TRUE(FindLine(rep.output, kLeakBanner)) << rep.output;
  EXPECT_TRUE(HasLine(rep.output, "INFO: a leak has been found in the initial corpus."))
      << rep.output;
  EXPECT_TRUE(HasLine(rep.output, kLeakHint)) << rep.output;
}

TEST(Limits, LeakInTheSeedCorpusIsReported) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("corpus").c_str(), 0755), 0);
  WriteFile(dir.Join("corpus/seed"), "LK");
  // -rss_limit_mb=0: see LeakIsDetectedWhileFuzzingAndReproduces.
  RunResult run =
      RunProcess(Harness("leak"), {"-runs=1000", "-rss_limit_mb=0", "corpus"}, dir.path());
  SHOAL_EXPECT_EXIT(run, 77);
  EXPECT_TRUE(FindLine(run.output, kLeakBanner)) << run.output;
  EXPECT_TRUE(HasLine(run.output, "INFO: a leak has been found in the initial corpus."))
      << run.output;
  EXPECT_FALSE(FindLine(run.output, R"(#\d+\tINITED .*)")) << "must stop before INITED\n"
                                                           << run.output;
  Artifact a = ExpectHashedArtifact(run, dir, "leak");
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.bytes, "LK");
}

TEST(Limits, DetectLeaksZeroLeavesTheLeakToLsanAtExit) {
  TempDir dir;
  ASSERT_EQ(mkdir(dir.Join("corpus").c_str(), 0755), 0);
  WriteFile(dir.Join("corpus/seed"), "LK");
  RunResult run =
      RunProcess(Harness("leak"), {kSeed, "-runs=1000", "-detect_leaks=0", "corpus"}, dir.path());
  // LeakSanitizer's own exit code at process exit; libFuzzer finished normally first.
  SHOAL_EXPECT_EXIT(run, 1);
  EXPECT_TRUE(FindLine(run.output, R"(Done 1000 runs in \d+ second\(s\))")) << run.output;
  EXPECT_TRUE(FindLine(run.output, kLeakBanner)) << run.output;
  EXPECT_LT(run.output.find("Done 1000 runs"),
            run.output.find("LeakSanitizer: detected memory leaks"))
      << "the leak report must come at exit, after the run\n"
      << run.output;
  EXPECT_FALSE(HasLine(run.output, kLeakHint)) << run.output;
  EXPECT_FALSE(HasLineContaining(run.output, "Test unit written to ./leak-")) << run.output;
}

}  // namespace
}  // namespace shoal_test

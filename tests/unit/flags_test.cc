// Unit tests for the flags table and parser (runtime/common/flags.*), coordinator side.
#include "runtime/common/flags.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

namespace fuzzer {
namespace {

ParsedCommandLine Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "./fuzzer");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(&arg[0]);
  argv.push_back(nullptr);
  return ParseCommandLine(int(args.size()), argv.data());
}

TEST(FlagsTest, DefaultsComeFromTheTable) {
  Flags flags;
  EXPECT_EQ(flags.runs, -1);
  EXPECT_EQ(flags.timeout, 1200);
  EXPECT_EQ(flags.rss_limit_mb, 2048);
  EXPECT_EQ(flags.error_exitcode, 77);
  EXPECT_EQ(flags.timeout_exitcode, 70);
  EXPECT_EQ(flags.len_control, 100);
  EXPECT_EQ(flags.entropic_feature_frequency_threshold, 255);
  EXPECT_EQ(flags.dict, nullptr);
}

TEST(FlagsTest, ParsesIntegersLikeLibFuzzer) {
  ParsedCommandLine parsed = Parse({"-runs=100", "-timeout=1.5", "-max_len=-3", "-seed=-1"});
  EXPECT_EQ(parsed.flags.runs, 100);
  EXPECT_EQ(parsed.flags.timeout, 1);  // leading digits only
  EXPECT_EQ(parsed.flags.max_len, -3);
  EXPECT_EQ(parsed.flags.seed, 4294967295u);  // unsigned, as libFuzzer's stoul
  EXPECT_TRUE(parsed.flags.IsSet("runs"));
  EXPECT_FALSE(parsed.flags.IsSet("dict"));
}

TEST(FlagsTest, WorkerCountsKeepTheirSignAndHugeValuesSaturate) {
  // Shoal refuses negative and absurd worker counts, so the parser must not turn -1 into
  // 4294967295 (libFuzzer's unsigned reading) nor wrap a huge number into a small one.
  ParsedCommandLine parsed = Parse({"-workers=-1", "-jobs=100000", "-fork=99999999999999999999999",
                                    "-runs=-99999999999999999999"});
  EXPECT_EQ(parsed.flags.workers, -1);
  EXPECT_EQ(parsed.flags.jobs, 100000);
  EXPECT_EQ(parsed.flags.fork, LONG_MAX);
  EXPECT_EQ(parsed.flags.runs, LONG_MIN);
}

TEST(FlagsTest, SeparatesPositionalArgumentsAndStrings) {
  ParsedCommandLine parsed = Parse({"corpus", "-dict=a.dict", "seeds", "-artifact_prefix=out/"});
  EXPECT_EQ(parsed.positional, (std::vector<std::string>{"corpus", "seeds"}));
  EXPECT_STREQ(parsed.flags.dict, "a.dict");
  EXPECT_STREQ(parsed.flags.artifact_prefix, "out/");
}

TEST(FlagsTest, UnknownAndDoubleDashFlagsAreNotFatal) {
  ParsedCommandLine parsed = Parse({"-foo_bar=1", "--max_len=100", "-runs=5"});
  EXPECT_EQ(parsed.flags.runs, 5);
  EXPECT_EQ(parsed.flags.max_len, 0);  // "--" flags are ignored
  EXPECT_TRUE(parsed.positional.empty());
}

TEST(FlagsTest, IgnoreRemainingArgsStopsParsing) {
  ParsedCommandLine parsed =
      Parse({"-runs=10", "-ignore_remaining_args=1", "--baz", "-help=1", "test"});
  EXPECT_EQ(parsed.flags.runs, 10);
  EXPECT_EQ(parsed.flags.help, 0);
  EXPECT_TRUE(parsed.positional.empty());
  EXPECT_EQ(parsed.target_args, (std::vector<std::string>{"--baz", "-help=1", "test"}));
}

TEST(FlagsTest, FlagNamesMustMatchExactly) {
  // "-runsx=3" is not "-runs=..."; "-run=3" is not either.
  ParsedCommandLine parsed = Parse({"-runsx=3", "-run=3"});
  EXPECT_EQ(parsed.flags.runs, -1);
}

}  // namespace
}  // namespace fuzzer

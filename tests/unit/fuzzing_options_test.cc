// Unit tests for the options builder (runtime/common/fuzzing_options.*): the defaults, the
// facts derived from several flags, and flags given explicitly.
#include "runtime/common/fuzzing_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/common/flags.h"

namespace fuzzer {
namespace {

// Options built from `args` as the driver builds them (the argv strings die here: the
// options must not point into them).
FuzzingOptions Build(std::vector<std::string> args, ProcessFacts facts = {}) {
  args.insert(args.begin(), "./fuzzer");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(&arg[0]);
  argv.push_back(nullptr);
  ParsedCommandLine parsed = ParseCommandLine(int(args.size()), argv.data(), /*quiet=*/true);
  return BuildFuzzingOptions(parsed.flags, facts);
}

TEST(FuzzingOptionsTest, Defaults) {
  ProcessFacts facts;
  facts.clock_seed = 1234;
  FuzzingOptions options = Build({}, facts);
  EXPECT_EQ(options.seed, 1234u);
  EXPECT_EQ(options.runs, -1);
  EXPECT_EQ(options.max_total_time_sec, 0);
  EXPECT_EQ(options.workers, 1u);
  EXPECT_FALSE(options.fork_mode);
  EXPECT_EQ(options.max_len, 0u);
  EXPECT_EQ(options.max_len_or_largest_default, size_t(1) << 20);
  EXPECT_EQ(options.worker_slot_capacity, size_t(1) << 20);
  EXPECT_EQ(options.len_control, 100u);
  EXPECT_FALSE(options.len_control_given);
  EXPECT_EQ(options.timeout_sec, 1200);
  EXPECT_EQ(options.rss_limit_mb, 2048u);
  EXPECT_EQ(options.malloc_limit_mb, 2048u);
  EXPECT_EQ(options.error_exitcode, 77);
  EXPECT_EQ(options.timeout_exitcode, 70);
  EXPECT_EQ(options.stats_interval_sec, 1);
  EXPECT_TRUE(options.entropic);
  EXPECT_TRUE(options.use_cmp_distance);
  EXPECT_FALSE(options.record_new_pcs);
  EXPECT_FALSE(options.stop_file.has_value());
  EXPECT_FALSE(options.exact_artifact_path.has_value());
  EXPECT_TRUE(options.handle.interrupt);
  EXPECT_EQ(options.worker_executable, "/proc/self/exe");
  EXPECT_FALSE(options.keep_going_after_timeout);
  EXPECT_FALSE(options.keep_going_after_oom);
  EXPECT_FALSE(options.keep_going_after_crash);
  EXPECT_FALSE(options.final_stats_show_crashes);
}

TEST(FuzzingOptionsTest, ArtifactPathDefaultsToTheCurrentDirectory) {
  EXPECT_EQ(Build({}).artifact_prefix, "./");
  EXPECT_EQ(Build({}).ArtifactPath("crash-", "abc"), "./crash-abc");
  FuzzingOptions prefixed = Build({"-artifact_prefix=/tmp/out/x-"});
  EXPECT_EQ(prefixed.ArtifactPath("timeout-", "abc"), "/tmp/out/x-timeout-abc");
  FuzzingOptions exact = Build({"-artifact_prefix=/tmp/out/", "-exact_artifact_path=/tmp/a"});
  EXPECT_EQ(exact.ArtifactPath("crash-", "abc"), "/tmp/a");
  EXPECT_EQ(exact.ArtifactPath("minimized-from-", "def"), "/tmp/a");
}

TEST(FuzzingOptionsTest, WorkerSeedsAreDistinctAndFollowTheRunSeed) {
  FuzzingOptions options = Build({"-seed=5"});
  EXPECT_EQ(options.seed, 5u);
  EXPECT_EQ(WorkerSeed(options.seed, 0, 0), 5u);
  EXPECT_EQ(WorkerSeed(options.seed, 1, 0), 5u + 7919u);
  EXPECT_EQ(WorkerSeed(options.seed, 0, 1), 5u + 104729u);
  EXPECT_EQ(WorkerSeed(options.seed, 2, 3), 5u + 2 * 7919u + 3 * 104729u);
  // An explicit seed wins over the clock's.
  ProcessFacts facts;
  facts.clock_seed = 99;
  EXPECT_EQ(Build({"-seed=5"}, facts).seed, 5u);
  EXPECT_EQ(Build({"-seed=0"}, facts).seed, 99u);
}

TEST(FuzzingOptionsTest, NumberOfWorkers) {
  EXPECT_EQ(Build({"-workers=0"}).workers, 0u);
  EXPECT_EQ(Build({"-workers=3", "-fork=2"}).workers, 3u);
  EXPECT_EQ(Build({"-fork=2"}).workers, 2u);
  EXPECT_EQ(Build({"-jobs=4"}).workers, 4u);
  EXPECT_EQ(Build({"-fork=2", "-jobs=4"}).workers, 2u);
  EXPECT_TRUE(Build({"-fork=2"}).fork_mode);
  EXPECT_FALSE(Build({"-jobs=2"}).fork_mode);
}

TEST(FuzzingOptionsTest, ExplicitFlagsAndWhatTheyImply) {
  FuzzingOptions options =
      Build({"-max_len=5000000", "-len_control=0", "-timeout=-3", "-rss_limit_mb=100",
             "-stats_interval=0", "-print_pcs=1", "-focus_function=f", "-stop_file=",
             "-max_total_time=7"});
  EXPECT_EQ(options.max_len, 5000000u);
  EXPECT_EQ(options.max_len_or_largest_default, 5000000u);
  EXPECT_EQ(options.worker_slot_capacity, 5000000u);
  EXPECT_EQ(options.len_control, 0u);
  EXPECT_TRUE(options.len_control_given);
  EXPECT_EQ(options.timeout_sec, 0);
  EXPECT_EQ(options.rss_limit_mb, 100u);
  EXPECT_EQ(options.malloc_limit_mb, 100u);
  EXPECT_EQ(options.stats_interval_sec, 1);
  EXPECT_TRUE(options.record_new_pcs);
  EXPECT_FALSE(options.entropic);  // -focus_function turns it off
  EXPECT_EQ(options.focus_function, std::optional<std::string>("f"));
  EXPECT_EQ(options.stop_file, std::optional<std::string>(""));  // given, even if empty
  EXPECT_EQ(options.max_total_time_sec, 7);
  EXPECT_EQ(Build({"-max_len=10"}).worker_slot_capacity, size_t(1) << 20);
  EXPECT_EQ(Build({"-malloc_limit_mb=5"}).malloc_limit_mb, 5u);
  EXPECT_FALSE(Build({"-merge=1"}).use_cmp_distance);
  EXPECT_FALSE(Build({"-set_cover_merge=1"}).use_cmp_distance);
  EXPECT_TRUE(Build({"-exit_on_src_pos=a.cc:1"}).record_new_pcs);
}

TEST(FuzzingOptionsTest, KeepGoingPolicy) {
  FuzzingOptions fork = Build({"-fork=2"});
  EXPECT_TRUE(fork.keep_going_after_timeout);
  EXPECT_TRUE(fork.keep_going_after_oom);
  EXPECT_FALSE(fork.keep_going_after_crash);
  EXPECT_TRUE(fork.final_stats_show_crashes);
  FuzzingOptions explicit_flags = Build({"-ignore_timeouts=1", "-ignore_crashes=1"});
  EXPECT_TRUE(explicit_flags.keep_going_after_timeout);
  EXPECT_FALSE(explicit_flags.keep_going_after_oom);
  EXPECT_TRUE(explicit_flags.keep_going_after_crash);
  EXPECT_FALSE(Build({"-fork=2", "-ignore_ooms=0"}).keep_going_after_oom);
  EXPECT_TRUE(Build({"-keep_going=1"}).keep_going);
}

TEST(FuzzingOptionsTest, AWorkerLeavesInterruptsToItsCoordinator) {
  ProcessFacts worker;
  worker.is_worker = true;
  FuzzingOptions options = Build({}, worker);
  EXPECT_FALSE(options.handle.interrupt);
  EXPECT_FALSE(options.handle.term);
  EXPECT_FALSE(options.handle.usr1);
  EXPECT_FALSE(options.handle.usr2);
  EXPECT_TRUE(options.handle.segv);
  EXPECT_FALSE(Build({"-handle_segv=0"}).handle.segv);
}

TEST(FuzzingOptionsTest, WorkerExecutableComesFromTheEnvironmentFact) {
  ProcessFacts facts;
  facts.worker_executable = "/bin/wrapper";
  EXPECT_EQ(Build({}, facts).worker_executable, "/bin/wrapper");
}

}  // namespace
}  // namespace fuzzer

// FuzzingOptions: the typed options of one Shoal process, resolved from the parsed command
// line (Flags) once, by BuildFuzzingOptions, which only the driver calls. Every process builds
// them the same way: the coordinator, each worker (from the same argv) and the in-process
// engine. Below the driver, code reads these and never Flags: each default and each fact
// derived from several flags (artifact paths, worker seeds, the number of workers, the
// keep-going policy, the malloc limit, ...) is written here once.
//
// Lives in common/ because every layer reads it (engine, worker, coordinator) and it depends
// on nothing but Flags. Immutable after the driver built it; the driver keeps it alive for
// the whole process (signal handlers read it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace fuzzer {

struct Flags;  // runtime/common/flags.h: read by the builder only

// libFuzzer's largest default -max_len (and its merge's default): 1 MiB.
constexpr size_t kLargestDefaultMaxLen = 1 << 20;
// Names a program that a coordinator runs as its workers instead of /proc/self/exe (a
// debugging wrapper, or a test's fake worker).
constexpr char kWorkerExecutableVariable[] = "SHOAL_WORKER_EXECUTABLE";

// What the options depend on besides the flags: facts of the process, which the driver reads
// (CurrentProcessFacts) and a test makes up.
struct ProcessFacts {
  bool is_worker = false;     // this process serves a coordinator
  unsigned clock_seed = 0;    // the seed when -seed is 0 (from the clock and the pid)
  // $SHOAL_WORKER_EXECUTABLE, or null when it is not set.
  const char* worker_executable = nullptr;
};
ProcessFacts CurrentProcessFacts(bool is_worker);

// Which signals a process handles itself (-handle_*). A worker leaves SIGINT, SIGTERM and
// SIGUSR1/2 to its coordinator, whatever the flags say.
struct SignalOptions {
  bool segv = true, bus = true, abrt = true, ill = true, fpe = true;
  bool interrupt = true;  // -handle_int
  bool term = true, xfsz = true, usr1 = true, usr2 = true;
};

// The options themselves: plain values, with the defaults of flags.def; only
// BuildFuzzingOptions fills them from a command line. An optional string is absent when its
// flag was not given (given empty, it is present and empty).
struct FuzzingOptions {
  // ---- the run ----
  unsigned seed = 0;  // never 0: -seed, or ProcessFacts::clock_seed
  int64_t runs = -1;  // -runs; negative: no limit
  int64_t max_total_time_sec = 0;  // 0: no limit
  int64_t max_plateau_time_sec = 0;  // 0: off
  std::optional<std::string> stop_file;
  // Worker processes that run the target: -workers, else -fork, else -jobs, else 1; 0 runs
  // the target in this process. (The driver refuses counts out of range first.)
  size_t workers = 1;
  bool fork_mode = false;    // -fork=N with N > 0 (libFuzzer's fork-mode defaults apply)
  int64_t fork = 0;          // -fork as given, for libFuzzer's "INFO: -fork=N" line
  bool set_cover_merge = false;
  std::optional<std::string> merge_control_file;
  int verbosity = 1;

  // ---- inputs and mutation ----
  size_t max_len = 0;  // -max_len; 0: chosen from the seeds (ChooseMaxLen)
  // -max_len, or the largest default: what the engine and a merge start from.
  size_t max_len_or_largest_default = kLargestDefaultMaxLen;
  // The shared input slot of a worker: large enough for every -max_len it may be given.
  size_t worker_slot_capacity = kLargestDefaultMaxLen;
  size_t len_control = 100;
  bool len_control_given = false;  // -len_control was on the command line
  bool keep_seed = false;
  bool cross_over = true;
  bool cross_over_uniform_dist = false;
  size_t mutate_depth = 5;
  bool reduce_depth = false;
  bool shuffle = true;
  bool prefer_small = true;
  bool only_ascii = false;
  bool float_mutators = true;
  bool input_to_state = true;
  bool i2s_combine = true;
  bool i2s_descent = true;
  bool checksum_repair = true;

  // ---- coverage and corpus ----
  bool use_counters = true;
  bool use_memmem = true;
  bool use_value_profile = false;
  bool use_cmp = true;
  // -cmp_distance, off in a merge: a merge keeps what covers more code, as libFuzzer's does.
  bool use_cmp_distance = true;
  bool shrink = false;
  bool reduce_inputs = true;
  // -entropic, which -focus_function turns off.
  bool entropic = true;
  size_t entropic_feature_frequency_threshold = 0xFF;
  size_t entropic_number_of_rarest_features = 100;
  bool entropic_scale_per_exec_time = false;
  std::optional<std::string> focus_function;
  int64_t reload_sec = 1;  // 0 or less: off
  std::optional<std::string> features_dir;
  std::optional<std::string> mutation_graph_file;

  // ---- what is printed ----
  bool print_pcs = false;
  size_t print_funcs = 2;
  bool print_final_stats = false;
  bool print_corpus_stats = false;
  bool print_coverage = false;
  bool print_full_coverage = false;
  // Whether the engine records newly covered PCs (-print_pcs, -exit_on_src_pos).
  bool record_new_pcs = false;
  std::optional<std::string> exit_on_src_pos;
  std::optional<std::string> exit_on_item;
  std::optional<std::string> stats_file;
  int64_t stats_interval_sec = 1;  // at least 1

  // ---- failures ----
  int64_t timeout_sec = 1200;  // 0: no timeout
  size_t report_slow_units_sec = 10;  // 0: off
  int error_exitcode = 77;
  int timeout_exitcode = 70;
  size_t rss_limit_mb = 2048;  // 0: no limit
  // -malloc_limit_mb, or the RSS limit when it is not positive (libFuzzer's rule).
  size_t malloc_limit_mb = 2048;
  int64_t purge_allocator_interval_sec = 1;  // negative: off
  long trace_malloc = 0;
  bool detect_leaks = true;
  SignalOptions handle;
  // "./" unless -artifact_prefix is given.
  std::string artifact_prefix = "./";
  std::optional<std::string> exact_artifact_path;
  // The keep-going policy of a coordinator: which failures do not end the run.
  bool keep_going = false;  // -keep_going: none does
  bool keep_going_after_timeout = false;  // explicit -ignore_timeouts, or fork mode's default
  bool keep_going_after_oom = false;      // explicit -ignore_ooms, or fork mode's default
  bool keep_going_after_crash = false;    // -ignore_crashes (crashes and leaks)
  // -print_final_stats adds stat::crashes lines where failures need not end the run.
  bool final_stats_show_crashes = false;

  // ---- workers ----
  std::string worker_executable = "/proc/self/exe";

  // Where an artifact of `kind` ("crash-", "minimized-from-", ...) for an input whose SHA-1
  // is `sha1_hex` goes: -exact_artifact_path, or <artifact_prefix><kind><sha1>.
  std::string ArtifactPath(const std::string& kind, const std::string& sha1_hex) const;
};

// The RNG seed of worker `index`'s process after `restarts` restarts, in a run (or a worker
// session) whose seed is `run_seed` (FuzzingOptions::seed, or a session's own): the run's seed
// for the first process of worker 0; every other one differs.
uint64_t WorkerSeed(unsigned run_seed, size_t index, size_t restarts);

// The one place flags become options. `flags` as ParseCommandLine made them.
FuzzingOptions BuildFuzzingOptions(const Flags& flags, const ProcessFacts& facts);

}  // namespace fuzzer

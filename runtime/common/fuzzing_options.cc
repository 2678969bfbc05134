// Implements fuzzing_options.h: the one builder of FuzzingOptions from Flags. Runs in every
// process, called by the driver.
#include "runtime/common/fuzzing_options.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "runtime/common/flags.h"

namespace fuzzer {
namespace {

std::optional<std::string> OptionalString(const char* flag) {
  if (!flag) return std::nullopt;
  return std::string(flag);
}

}  // namespace

ProcessFacts CurrentProcessFacts(bool is_worker) {
  ProcessFacts facts;
  facts.is_worker = is_worker;
  facts.clock_seed = unsigned(std::chrono::system_clock::now().time_since_epoch().count()) ^
                     unsigned(getpid() << 16);
  facts.worker_executable = getenv(kWorkerExecutableVariable);
  return facts;
}

std::string FuzzingOptions::ArtifactPath(const std::string& kind,
                                         const std::string& sha1_hex) const {
  return exact_artifact_path ? *exact_artifact_path : artifact_prefix + kind + sha1_hex;
}

uint64_t WorkerSeed(unsigned run_seed, size_t index, size_t restarts) {
  return uint64_t(run_seed) + uint64_t(index) * 7919 + uint64_t(restarts) * 104729;
}

FuzzingOptions BuildFuzzingOptions(const Flags& flags, const ProcessFacts& facts) {
  FuzzingOptions options;
  // ---- the run ----
  options.seed = flags.seed ? flags.seed : facts.clock_seed;
  options.runs = flags.runs;
  options.max_total_time_sec = std::max(0L, flags.max_total_time);
  options.max_plateau_time_sec = std::max(0L, flags.max_plateau_time);
  options.stop_file = OptionalString(flags.stop_file);
  if (flags.IsSet("workers"))
    options.workers = size_t(std::max(0L, flags.workers));
  else if (flags.fork > 0)
    options.workers = size_t(flags.fork);
  else if (flags.jobs > 0)
    options.workers = size_t(flags.jobs);
  else
    options.workers = 1;
  options.fork_mode = flags.fork > 0;
  options.fork = flags.fork;
  options.set_cover_merge = flags.set_cover_merge != 0;
  options.merge_control_file = OptionalString(flags.merge_control_file);
  options.verbosity = int(flags.verbosity);

  // ---- inputs and mutation ----
  options.max_len = size_t(std::max(0L, flags.max_len));
  options.max_len_or_largest_default = options.max_len ? options.max_len : kLargestDefaultMaxLen;
  options.worker_slot_capacity = std::max(kLargestDefaultMaxLen, options.max_len);
  options.len_control = size_t(flags.len_control);
  options.len_control_given = flags.IsSet("len_control");
  options.keep_seed = flags.keep_seed != 0;
  options.cross_over = flags.cross_over != 0;
  options.cross_over_uniform_dist = flags.cross_over_uniform_dist != 0;
  options.mutate_depth = size_t(std::max(0L, flags.mutate_depth));
  options.reduce_depth = flags.reduce_depth != 0;
  options.shuffle = flags.shuffle != 0;
  options.prefer_small = flags.prefer_small != 0;
  options.only_ascii = flags.only_ascii != 0;
  options.float_mutators = flags.float_mutators != 0;
  options.input_to_state = flags.input_to_state != 0;
  options.i2s_combine = flags.i2s_combine != 0;
  options.i2s_descent = flags.i2s_descent != 0;
  options.checksum_repair = flags.checksum_repair != 0;

  // ---- coverage and corpus ----
  options.use_counters = flags.use_counters != 0;
  options.use_memmem = flags.use_memmem != 0;
  options.use_value_profile = flags.use_value_profile != 0;
  options.use_cmp = flags.use_cmp != 0;
  options.use_cmp_distance = flags.cmp_distance && !flags.merge && !flags.set_cover_merge;
  options.shrink = flags.shrink != 0;
  options.reduce_inputs = flags.reduce_inputs != 0;
  options.entropic = flags.entropic != 0 && !flags.focus_function;
  options.entropic_feature_frequency_threshold = size_t(flags.entropic_feature_frequency_threshold);
  options.entropic_number_of_rarest_features = size_t(flags.entropic_number_of_rarest_features);
  options.entropic_scale_per_exec_time = flags.entropic_scale_per_exec_time != 0;
  options.focus_function = OptionalString(flags.focus_function);
  options.reload_sec = flags.reload;
  options.features_dir = OptionalString(flags.features_dir);
  options.mutation_graph_file = OptionalString(flags.mutation_graph_file);

  // ---- what is printed ----
  options.print_pcs = flags.print_pcs != 0;
  options.print_funcs = size_t(std::max(0L, flags.print_funcs));
  options.print_final_stats = flags.print_final_stats != 0;
  options.print_corpus_stats = flags.print_corpus_stats != 0;
  options.print_coverage = flags.print_coverage != 0;
  options.print_full_coverage = flags.print_full_coverage != 0;
  options.record_new_pcs = flags.print_pcs != 0 || flags.exit_on_src_pos;
  options.exit_on_src_pos = OptionalString(flags.exit_on_src_pos);
  options.exit_on_item = OptionalString(flags.exit_on_item);
  options.stats_file = OptionalString(flags.stats_file);
  options.stats_interval_sec = std::max(1L, flags.stats_interval);

  // ---- failures ----
  options.timeout_sec = std::max(0L, flags.timeout);
  options.report_slow_units_sec = size_t(std::max(0L, flags.report_slow_units));
  options.error_exitcode = int(flags.error_exitcode);
  options.timeout_exitcode = int(flags.timeout_exitcode);
  options.rss_limit_mb = size_t(std::max(0L, flags.rss_limit_mb));
  // As libFuzzer: a non-positive -malloc_limit_mb means the RSS limit (taken as given).
  options.malloc_limit_mb =
      size_t(flags.malloc_limit_mb > 0 ? flags.malloc_limit_mb : flags.rss_limit_mb);
  options.purge_allocator_interval_sec = flags.purge_allocator_interval;
  options.trace_malloc = flags.trace_malloc;
  options.detect_leaks = flags.detect_leaks != 0;
  SignalOptions& handle = options.handle;
  handle.segv = flags.handle_segv != 0;
  handle.bus = flags.handle_bus != 0;
  handle.abrt = flags.handle_abrt != 0;
  handle.ill = flags.handle_ill != 0;
  handle.fpe = flags.handle_fpe != 0;
  handle.xfsz = flags.handle_xfsz != 0;
  // A worker's coordinator owns Ctrl-C, SIGTERM and SIGUSR1/2 (it stops workers by closing
  // their pipes).
  handle.interrupt = flags.handle_int != 0 && !facts.is_worker;
  handle.term = flags.handle_term != 0 && !facts.is_worker;
  handle.usr1 = flags.handle_usr1 != 0 && !facts.is_worker;
  handle.usr2 = flags.handle_usr2 != 0 && !facts.is_worker;
  if (flags.artifact_prefix) options.artifact_prefix = flags.artifact_prefix;
  options.exact_artifact_path = OptionalString(flags.exact_artifact_path);
  options.keep_going = flags.keep_going != 0;
  // libFuzzer's fork mode ignores timeouts and OOMs by default; without -fork only an
  // explicit -ignore_* flag does.
  options.keep_going_after_timeout =
      flags.IsSet("ignore_timeouts") || options.fork_mode ? flags.ignore_timeouts != 0 : false;
  options.keep_going_after_oom =
      flags.IsSet("ignore_ooms") || options.fork_mode ? flags.ignore_ooms != 0 : false;
  options.keep_going_after_crash = flags.ignore_crashes != 0;
  options.final_stats_show_crashes = flags.keep_going || flags.ignore_crashes || flags.fork > 0;

  // ---- workers ----
  if (facts.worker_executable) options.worker_executable = facts.worker_executable;
  return options;
}

}  // namespace fuzzer

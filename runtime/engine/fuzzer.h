// Fuzzer: the coverage-guided engine. It runs the target on one input at a time (exact-size
// heap copy, coverage reset and collection, const-input check, leak check), keeps the corpus,
// runs the seeds, mutates, prints libFuzzer's status lines and writes the output corpus.
// It runs in the in-process engine (-workers=0) and, wrapped by the WorkerServer, in each
// worker. Its crash-time methods are called from signal handlers and sanitizer callbacks
// (failure_handlers.cc) and are careful to be signal-tolerant.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/common/corpus_dir_watcher.h"
#include "runtime/common/corpus_file_writer.h"
#include "runtime/common/files.h"
#include "runtime/common/fuzzing_options.h"
#include "runtime/common/input_slot.h"
#include "runtime/common/random.h"
#include "runtime/common/stats_file.h"
#include "runtime/engine/checksum_repair.h"
#include "runtime/engine/corpus.h"
#include "runtime/engine/coverage_report.h"
#include "runtime/engine/engine_reporter.h"
#include "runtime/engine/i2s_stage.h"
#include "runtime/engine/libfuzzer_output.h"
#include "runtime/engine/mutation_dispatcher.h"
#include "runtime/engine/stage_budget.h"

namespace fuzzer {

using UserCallback = int (*)(const uint8_t* data, size_t size);

// The harness's optional hooks, found through weak symbols by the driver.
struct TargetHooks {
  UserCallback test_one_input = nullptr;
  CustomMutatorFn custom_mutator = nullptr;
  CustomCrossOverFn custom_cross_over = nullptr;
};

// A seed file to run before fuzzing (read lazily).
using SeedFile = SizedFile;

// libFuzzer's default -max_len: max(4096, largest seed), at most 1 MiB.
size_t DefaultMaxLen(size_t largest_seed);
// The -max_len to use: the flag, or the default from the seeds with libFuzzer's INFO line.
size_t ChooseMaxLen(const FuzzingOptions& options, const std::vector<SeedFile>& seeds);
// libFuzzer's line for a -max_len it chose itself (ChooseMaxLen, a -minimize_crash step).
void PrintMaxLenNotProvided(size_t max_len);
// libFuzzer's "INFO: seed corpus: ..." line (or the one for no corpus).
void PrintSeedCorpusInfo(const std::vector<SeedFile>& seeds);
// Seeds in execution order: optionally shuffled, then smallest first (-shuffle, -prefer_small).
std::vector<SeedFile> OrderSeeds(const std::vector<SeedFile>& seeds, const FuzzingOptions& options,
                                 Random* rand);

// -focus_function, at the start of fuzzing (coordinator or in-process engine): resolves the
// function and prints libFuzzer's INFO line, or its ERROR line and returns false.
bool SetUpFocusFunction(const FuzzingOptions& options);
// After INITED: "INFO: N/M inputs touch the focus function" (nothing without one).
void PrintFocusFunctionTouches(const FuzzingOptions& options, const Corpus& corpus);

// -exit_on_src_pos / -exit_on_item (coordinator or in-process engine): if `new_pcs` (PC-table
// addresses just covered) include the source position, or the corpus now holds the item,
// prints libFuzzer's INFO line, unlinks the spares of `files` (the output corpus's writer) and
// ends the process with exit code 0, as libFuzzer does.
void ExitIfSourcePositionReached(const FuzzingOptions& options,
                                 const std::vector<uintptr_t>& new_pcs, CorpusFileWriter* files);
void ExitIfItemInCorpus(const FuzzingOptions& options, Corpus& corpus, CorpusFileWriter* files);

// -purge_allocator_interval: once `interval_sec` has passed since the last look, purge the
// sanitizer allocator's caches and quarantine, unless an RSS limit is set and the peak RSS is
// still below half of it (libFuzzer's rule). A negative interval turns it off.
bool ShouldPurgeAllocator(long interval_sec, long rss_limit_mb, size_t peak_rss_mb,
                          int64_t usec_since_last_look);

// -print_corpus_stats: libFuzzer's line for corpus input `index`.
void PrintCorpusStatsLine(size_t index, const std::string& sha1, size_t size, size_t runs,
                          size_t successes, bool touches_focus_function);

// Which dispatcher the exported LLVMFuzzerMutate uses (the running engine's).
void SetActiveDispatcher(MutationDispatcher* dispatcher);

class Fuzzer {
 public:
  Fuzzer(const FuzzingOptions& options, const TargetHooks& hooks, Random* rand);
  ~Fuzzer();
  Fuzzer(const Fuzzer&) = delete;
  Fuzzer& operator=(const Fuzzer&) = delete;

  MutationDispatcher& mutation_dispatcher() { return *dispatcher_; }
  Corpus& corpus() { return corpus_; }
  const FuzzingOptions& options() const { return options_; }

  // Fuzzing mode: runs the empty input and the seeds, prints INITED, then mutates until a
  // limit is reached; prints DONE and "Done N runs". `output_dir` may be empty.
  void Loop(const std::vector<SeedFile>& seeds, const std::string& output_dir);
  // Reproduce mode: runs one file's bytes (no artifacts are written in this mode).
  void RunReproducer(const Bytes& data);
  // -analyze_dict (in-process, as libFuzzer's): for each corpus input and each dictionary
  // word it contains, runs the input with every occurrence of the word masked (bytes XOR
  // 0xFF) and compares its features with the original's. A word scores +2 when masking
  // changes them and -1 when it does not; words that never score above 0 are printed as
  // useless.
  void AnalyzeDictionary(const std::vector<Word>& words, const std::vector<Bytes>& corpus);

  // ---- pieces of Loop, also driven one request at a time by a worker ----
  // Runs the empty input once (libFuzzer does this first, and never again).
  void RunEmptyInput(bool counted = true);
  // Runs a seed (or another worker's input); returns whether it was added to the corpus.
  // If all_features is not null it receives every feature the input reached.
  bool RunSeed(const uint8_t* data, size_t size, std::vector<uint32_t>* all_features);
  // After the seeds: sets the length limit and starts mutating.
  void FinishSeeds();
  // Mutates until max_runs more executions (0: no limit) or max_time_ms (0: no limit) have
  // passed; new units go to the reporter (UseReporter).
  void FuzzFor(size_t max_runs, size_t max_time_ms);
  // Ends the run budget max_runs more executions from now (0: no limit) for what runs next:
  // a leak check's second run of an input is counted only within it, so it never takes the
  // total past -runs. FuzzFor sets its own, and lifts it when it returns.
  void SetRunBudget(size_t max_runs);
  // -minimize_crash's step: runs ever smaller mutants of `input` until one fails (and this
  // process dies reporting it) or the budget is spent; returns the number of runs.
  size_t MinimizeCrashStep(const Bytes& input, size_t max_runs, size_t max_time_ms);
  size_t length_limit() const { return length_limit_; }
  size_t slowest_unit_seconds() const { return slowest_unit_seconds_; }
  void UseInputSlot(std::unique_ptr<InputSlot> slot) { slot_ = std::move(slot); }
  InputSlot* input_slot() { return slot_.get(); }

  size_t max_input_len() const { return max_input_len_; }
  void set_max_input_len(size_t len);
  // Where kept units and failing inputs go from now on (engine_reporter.h): `reporter`
  // (not owned; it must outlive its use), or the in-process engine's own (the default) when
  // null.
  void UseReporter(EngineReporter* reporter);
  // From now on nothing is reported (reproduce mode; at exit, a leak report is not about
  // one input).
  void ReportNothingMore() { reporter_ = &silent_reporter_; }
  // A worker that replaces a dead one: the corpus it runs before fuzzing is not queued for
  // the input-to-state stage (its deterministic edits would find the same failure again).
  void set_stage_skips_seeds(bool skip) { stage_skips_seeds_ = skip; }
  size_t total_runs() const { return total_runs_; }
  // -stats_file (owned by the driver), in-process fuzzing only: rows from Loop, every
  // -stats_interval seconds, and one at exit (fuzzer_stats.cc).
  void set_stats_file(StatsFile* file) { stats_file_ = file; }
  void PrintFinalStats();
  void PrintStatusLine(StatusEvent event, const char* end = "\n");

  // ---- crash-time entry points (failure_handlers.cc) ----
  void CrashCallback();  // deadly signal caught by Shoal's own handler
  void DeathCallback();  // a sanitizer is about to die
  void AlarmCallback();  // SIGALRM: check the per-input timeout
  void RssLimitCallback(size_t rss_mb);
  void MallocLimitCallback(size_t size);
  void ExitCallback();       // the target called exit()
  void InterruptCallback();  // SIGINT / SIGTERM
  void FileSizeExceededCallback();
  void RequestGracefulExit() { graceful_exit_requested_.store(true); }
  bool RunningTarget() const { return running_target_.load(std::memory_order_relaxed); }
  void OnMalloc() { mallocs_in_run_.fetch_add(1, std::memory_order_relaxed); }
  void OnFree() { frees_in_run_.fetch_add(1, std::memory_order_relaxed); }
  size_t malloc_limit_mb() const { return options_.malloc_limit_mb; }

 private:
  enum RunResult { kNothing, kNew, kReduced };

  // `counted`: the execution counts as a run (-runs, status lines). Only a worker's second
  // look at a unit it already counted is not one.
  void ExecuteCallback(const uint8_t* data, size_t size, bool counted = true);
  RunResult RunOne(const uint8_t* data, size_t size, bool may_delete_file, InputInfo* parent);
  void CollectAllFeatures(const uint8_t* data, size_t size, std::vector<uint32_t>* out);
  void MutateAndTestOne();
  // ---- the input-to-state stage and checksum repair (fuzzer_i2s.cc) ----
  // Whether the stage may take this turn of the fuzz loop: it has work and its StageBudget
  // (a share of the runs that follows how much the stage finds) has credit left. Decided on
  // run counts only, so a -seed reproduces the same search.
  bool StageTakesTurn();
  // Runs one step of the stage (one execution, plus repairs); reports a unit it finds.
  void RunStageStep();
  // RunOne, and while checksum compares are known: watches them and, when one fails,
  // repairs the input in place and runs it again (at most kMaxRepairsPerInput times).
  // Callers with a mutant check checksum_repair_.empty() first and call RunOne directly then
  // (most targets, every run): a call less per run, and no inlined Shoal frame on the stack of
  // a crash (crash signatures skip Shoal's frames by their qualified names).
  RunResult RunWithChecksumRepair(uint8_t* data, size_t size, InputInfo* parent);
  // A unit was added to the corpus: the stage will look at it.
  void QueueForStage(const uint8_t* data, size_t size, const std::string& sha1);
  void TryDetectingAMemoryLeak(const uint8_t* data, size_t size);
  // A unit was kept: bookkeeping, then the reporter (UnitKept).
  void ReportNewUnit(RunResult result, const uint8_t* data, size_t size);
  // ---- the in-process engine's reporting (fuzzer_reporting.cc) ----
  // The in-process engine's EngineReporter: libFuzzer's NEW/REDUCE lines, the output
  // corpus and the mutation graph for kept units; the artifact block and file for failures.
  class InProcessReporter final : public EngineReporter {
   public:
    explicit InProcessReporter(Fuzzer* fuzzer) : fuzzer_(fuzzer) {}
    void UnitKept(const KeptUnit& unit) override;
    void FailingInput(const FailingUnit& unit) override;

   private:
    Fuzzer* const fuzzer_;
  };
  // Writes a kept unit into the output corpus, if there is one; returns its path ("" if none).
  std::string WriteToOutputCorpus(const uint8_t* data, size_t size);
  // -mutation_graph_file (in-process engine): a vertex for the unit, and an edge from its base.
  void AddToMutationGraph(const uint8_t* data, size_t size, const std::string& base_sha1,
                          const std::string& mutation_names);
  // -reload: runs the files other processes added to the output corpus since the last
  // look; prints RELOAD if any of them was kept.
  void ReloadOutputCorpus();
  void PrintNewFunctions();  // NEW_PC (-print_pcs) and NEW_FUNC (-print_funcs) lines
  void MaybePurgeAllocator();
  bool TimeToStop();
  void MaybeGrowLengthLimit();
  void HandleOverwrittenInput();
  // Hands the input in the slot to the reporter as failing with `kind` (FailingInput).
  void DumpCurrentUnit(const char* kind);
  void PrintStackTrace();
  // The end of every report of a bug in the target that Shoal itself detected.
  [[noreturn]] void ReportBugAndExit(const char* what, const char* summary, const char* note);
  [[noreturn]] void FinishOutOfMemory();
  void ExitGracefully();
  size_t SecondsSinceStart() const;
  // -stats_file: a row if one is due (force: at exit); fuzzer_stats.cc.
  void MaybeWriteStatsRow(bool force = false);
  // The end of a run that a failure or a signal ends (from a signal handler or a sanitizer
  // callback, before _Exit): the final stat:: lines, then the last -stats_file row, counting
  // one crash when `crashed` (a crash, timeout, OOM or leak; not SIGINT); fuzzer_stats.cc.
  void FinishStatsAtDeath(bool crashed);
  // This run's numbers for a -stats_file row at `now_usec` (the coarse monotonic clock).
  StatsRow CollectStatsRow(int64_t now_usec) const;
  // -max_plateau_time (in-process fuzzing): whether cov and ft have not grown for that long
  // (then prints why the run stops); fuzzer_stats.cc.
  bool PlateauReached() const;
  size_t ExecsPerSecond() const;

  const FuzzingOptions& options_;
  TargetHooks hooks_;
  Random* rand_;
  std::unique_ptr<MutationDispatcher> dispatcher_;
  Corpus corpus_;
  std::unique_ptr<InputSlot> slot_;
  std::string output_dir_;
  // The output corpus's files (in-process fuzzing); its spares go on every way out
  // (FinishStatsAtDeath, ExitGracefully, the end of Loop, -exit_on_*, file size exceeded).
  CorpusFileWriter corpus_files_;
  std::unique_ptr<CorpusDirWatcher> reload_watcher_;  // -reload, in-process fuzzing only
  std::unique_ptr<CoverageReport> coverage_report_;  // -print_(full_)coverage, in-process
  // -features_dir, in-process only (a worker's units get their files from the coordinator).
  const char* features_dir_ = nullptr;
  int64_t next_reload_usec_ = 0;

  size_t max_input_len_ = 0;
  size_t length_limit_ = 0;  // "lim:", grown by -len_control
  Bytes mutation_buffer_;
  std::vector<uint32_t> new_features_;
  std::vector<uintptr_t> new_pcs_;  // -print_pcs: scratch for NEW_PC lines
  bool mutant_kept_parent_features_ = true;  // last RunOne, for -reduce_depth
  int64_t last_purge_look_usec_ = 0;          // -purge_allocator_interval
  std::string parent_sha1_;  // "base unit" of the current mutation sequence

  size_t total_runs_ = 0;
  size_t last_corpus_update_run_ = 0;
  size_t new_units_added_ = 0;
  size_t slowest_unit_seconds_ = 0;
  size_t leak_detection_attempts_ = 0;
  bool detect_leaks_ = true;
  bool fuzzing_started_ = false;  // after INITED: status lines show "lim:"
  // libFuzzer's pulse lines, checked after every mutation run.
  PulseTracker pulse_{PulseTracker::Counts::kEveryRun, /*min_seconds=*/2};
  InProcessReporter in_process_reporter_{this};
  SilentReporter silent_reporter_;
  // Read on the crash path: set only while no target runs (before handlers matter, or by
  // the thread that runs the target).
  EngineReporter* reporter_ = nullptr;
  std::vector<uint32_t>* all_features_ = nullptr;  // when set, RunOne records every feature
  size_t budget_end_runs_ = SIZE_MAX;
  int64_t budget_end_usec_ = INT64_MAX;
  bool running_initial_corpus_ = false;
  std::chrono::steady_clock::time_point start_time_;
  int64_t start_usec_;  // NowUsec() at start
  int64_t last_stop_file_check_usec_ = 0;
  int64_t last_exec_usec_ = 0;
  StatsFile* stats_file_ = nullptr;
  int64_t last_new_coverage_usec_ = 0;  // NowUsec() when cov/ft last grew (0: not yet)
  int64_t next_stats_usec_ = 0;         // when the next -stats_file row is due

  // -input_to_state / -checksum_repair (fuzzer_i2s.cc); null stage when off.
  std::unique_ptr<InputToStateStage> stage_;
  ChecksumRepair checksum_repair_;
  StageBudget stage_budget_;
  size_t stage_accounted_runs_ = SIZE_MAX;  // total_runs_ the budget has seen (MAX: none yet)
  size_t mutation_finds_unaccounted_ = 0;   // mutants since then that found new edges
  size_t checksums_adopted_ = 0;  // stage_->checksums() handed to checksum_repair_ so far
  bool stage_skips_seeds_ = false;
  size_t turns_without_stage_ = 0;  // fuzz-loop turns since the stage last had work
  // While set, RunOne sums a hash of the execution's features into features_hash_ (the
  // stage's colourisation compares them).
  bool hash_features_ = false;
  uint64_t features_hash_ = 0;
  // Whether RunOne's last run added a new edge or counter bucket (not only compare features).
  bool run_found_new_edges_ = false;

  std::atomic<bool> running_target_{false};
  std::atomic<int64_t> unit_start_usec_{0};
  std::atomic<size_t> mallocs_in_run_{0};
  std::atomic<size_t> frees_in_run_{0};
  std::atomic<bool> graceful_exit_requested_{false};
};

}  // namespace fuzzer

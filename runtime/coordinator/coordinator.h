// Coordinator: the process the user started, when fuzzing with workers (the default). It
// runs N worker processes (the same binary, re-executed), hands them the seeds, collects the
// inputs that add coverage into the global corpus (written to the output directory) and
// shares them with the other workers, prints libFuzzer's status lines with totals over all
// workers, and turns every worker death (crash, sanitizer report, timeout, RSS limit,
// SIGKILL, leak) into libFuzzer's artifact and exit code, or, when asked to keep going,
// into one artifact per unique crash and a restarted worker.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/common/corpus_dir_watcher.h"
#include "runtime/common/flags.h"
#include "runtime/common/random.h"
#include "runtime/common/stats_file.h"
#include "runtime/coordinator/crash_index.h"
#include "runtime/coordinator/crash_report.h"
#include "runtime/coordinator/stderr_forwarder.h"
#include "runtime/coordinator/worker_client.h"
#include "runtime/coordinator/worker_launcher.h"
#include "runtime/engine/corpus.h"
#include "runtime/engine/fuzzer.h"

namespace fuzzer {

class Coordinator {
 public:
  Coordinator(const Flags& flags, std::vector<std::string> argv, size_t num_workers, unsigned seed);
  ~Coordinator();
  // Starts every worker process and waits until each is serving (so their
  // LLVMFuzzerInitialize output comes before anything the coordinator prints). Returns false,
  // with *exit_code set to the worker's, if a worker fails to start (e.g. Initialize exits).
  bool LaunchWorkers(int* exit_code);
  // Fuzzes until a limit, a signal or (unless keeping going) the first failure; returns the
  // process exit code.
  int Run(const std::vector<SeedFile>& seeds, const std::string& output_dir);

  // An input to run once: read from `path` (of `size` bytes when listed) when sent to a
  // worker, or given as `data`.
  struct InputJob {
    size_t id = 0;
    std::string path;
    size_t size = 0;
    Bytes data;
    bool reloaded = false;  // found in the output corpus by -reload
    // Times its chunk was queued again after a worker death nobody could pin on one input.
    uint32_t retries = 0;
  };
  using InputResultFn = std::function<void(size_t id, const std::vector<uint32_t>& features)>;
  using InputFailureFn = std::function<void(size_t id)>;
  // Runs every job once in the workers (no fuzzing), as -merge does: each result or failure
  // (crash, timeout, OOM; the worker is restarted and the artifact written) is reported
  // through the callbacks, from worker threads, one at a time. Returns the exit code
  // (0 unless interrupted or the workers cannot start).
  int RunInputsOnly(std::vector<InputJob> jobs, size_t max_len, InputResultFn on_result,
                    InputFailureFn on_failure);
  // Printed like libFuzzer's merge inner process: "#N\tpulse  cov: ... ft: ..."
  void set_quiet_status(bool quiet) { quiet_status_ = quiet; }
  // -stats_file (owned by the driver): rows from the monitor thread and one at exit.
  void set_stats_file(StatsFile* file) { stats_file_ = file; }

 private:
  struct Worker {
    int index = 0;
    std::unique_ptr<WorkerClient> client;
    bool initialized = false;  // InitRequest answered by the current process
    std::thread thread;
    std::atomic<bool> thread_done{false};  // WorkerLoop returned (thread can be joined)
    uint64_t runs_of_previous_processes = 0;
    uint64_t runs = 0;  // current process
    uint64_t num_counters = 0;
    size_t length_limit = 0;
    size_t peak_rss_mb = 0;
    size_t restarts = 0;
    size_t consecutive_start_failures = 0;
    std::vector<Bytes> pending;  // global inputs this worker's corpus does not have yet
    std::atomic<bool> killed_for_rss{false};
    std::atomic<bool> killed_for_hang{false};
    std::atomic<bool> killed_while_dying{false};
    // When the monitor first saw the worker's slot say "dying" (zero: not dying).
    std::chrono::steady_clock::time_point dying_since;
    uint64_t dying_cpu_ticks = 0;  // its process group's CPU time at the last check
    // Of the seed chunk in flight: how many leading inputs' results came in partial replies.
    size_t chunk_results_done = 0;
    size_t rss_at_kill_mb = 0;
    std::chrono::steady_clock::time_point over_rss_limit_since;
    uint64_t last_generation = 0;
    std::chrono::steady_clock::time_point last_progress;
  };
  using SeedChunk = std::vector<InputJob>;

  void WorkerLoop(Worker* worker);
  bool StartWorker(Worker* worker);
  // Starts (or restarts) the worker's process and sends InitRequest; false = stop.
  bool EnsureWorkerStarted(Worker* worker);
  // After a call that did not return kOk: tells a dead worker (HandleDeath) from one that
  // talked garbage (error line, restart), and discards the client; false = stop.
  bool RecoverFromFailedCall(Worker* worker, CallResult result, const std::string& error,
                             SeedChunk* unfinished_seeds);
  void DiscardClient(Worker* worker);
  // A worker whose failure handler started reporting may spend this long without using any
  // CPU before it is killed: a corrupted heap can deadlock its death path (malloc locks), and
  // nothing else would end it.
  static constexpr std::chrono::seconds kDyingGrace{10};
  // worker_failures.cc: handles a worker that died during a call (or, `garbled`, sent
  // garbage after running inputs); returns false if the run must stop.
  bool HandleDeath(Worker* worker, SeedChunk* unfinished_seeds, bool garbled);
  // The worker will be started afresh: it gets a new seed and the whole global corpus.
  // Requires mutex_.
  void PrepareRestart(Worker* worker);
  // Writes the artifact a dying worker announced ("Test unit written to"), if it did; when
  // keeping going, also the input of a worker that was still reporting its failure.
  void KeepAnnouncedArtifact(WorkerClient& client);
  // Handles the results of chunk[response.first_position()...] (a partial or the final
  // reply); returns the position after the last result handled.
  size_t HandleRunInputsResponse(Worker* worker, const SeedChunk& chunk,
                                 const shoal::proto::RunInputsResponse& response);
  // A worker died with no report of its own (DiedWithNoReport, or garbage after it ran
  // inputs): death_triage.cc. kStop: the run ends; kRestart: the worker is restarted with no
  // artifact (*unfinished_seeds queued again without *position); kCulprit: *culprit is the
  // input that does it again in a fresh worker (and *position its seed, if it was one).
  enum class NoReportVerdict { kStop, kRestart, kCulprit };
  NoReportVerdict ResolveDeathWithNoReport(Worker* worker, bool channel_broken, int exit_status,
                                           uint64_t* position, SeedChunk* unfinished_seeds,
                                           Bytes* culprit);
  // Re-runs `recent` (newest first), each in a fresh worker; the first that ends the same way
  // (same exit code, or a broken channel), or nothing. Runs without mutex_.
  std::optional<Bytes> TriageDeathWithNoReport(const std::vector<Bytes>& recent,
                                               bool channel_broken, int exit_status);
  static std::string NoReportSignature(bool channel_broken, int exit_status);
  // The worker's run count as it reports it, within what is plausible: a count never goes
  // down and never jumps by more than one process can run between two reports (a target
  // that scribbles over the slot or the pipe must not make the totals absurd).
  static uint64_t PlausibleRuns(uint64_t previous, uint64_t reported);
  // Whether the total run count crossed a power of two since the last pulse line.
  bool CrossedPulse(uint64_t runs);  // requires mutex_
  void HandleFuzzResponse(Worker* worker, const shoal::proto::FuzzResponse& response);
  // Adds an input to the global corpus if it has new features (prints NEW / REDUCE).
  enum class CorpusChange { kNone, kNew, kReduce };
  CorpusChange AddToGlobalCorpus(Worker* from, const Bytes& data,
                                 const std::vector<uint32_t>& features,
                                 const std::string& mutation_sequence,
                                 const std::string& base_sha1, bool print,
                                 uint64_t at_run = UINT64_MAX);
  // -mutation_graph_file: a vertex for a unit the global corpus took, and an edge from its base.
  void AddToMutationGraph(const Bytes& data, const std::string& base_sha1,
                          const std::string& mutation_names);
  // Counts the edges of `features` as covered ("cov:"); requires mutex_. Returns the PCs of
  // the edges covered for the first time when -exit_on_src_pos needs them.
  std::vector<uintptr_t> MarkCoveredEdges(const std::vector<uint32_t>& features,
                                          uint64_t num_counters);
  void MonitorWorkers();
  void Stop(int exit_code);
  uint64_t TotalRuns() const;  // requires mutex_
  size_t RunBudget();          // requires mutex_
  // requires mutex_; runs defaults to the current total
  void PrintStatus(const char* where, const std::string& suffix, uint64_t runs = UINT64_MAX);
  void PrintFinalStats();  // requires mutex_
  bool KeepGoingAfter(FailureKind kind) const;
  bool AnyFailureIsSurvived() const;
  void QueueJobs(std::vector<InputJob> jobs);
  int WaitForJobsAndFinish(bool then_fuzz);
  std::string WriteArtifact(FailureKind kind, const Bytes& data);

  const Flags& flags_;
  std::vector<std::string> argv_;
  unsigned seed_;
  size_t max_len_ = 0;
  std::string output_dir_;
  std::unique_ptr<CorpusDirWatcher> reload_watcher_;  // -reload; looked at by the monitor
  std::unique_ptr<CoverageReport> coverage_report_;    // -print_coverage, -print_full_coverage
  std::chrono::steady_clock::time_point next_reload_;  // monitor thread only
  // The in-process engine's RNG state after ordering the seeds: worker 0's start.
  std::optional<Random::State> first_worker_rng_state_;
  std::string artifact_prefix_;
  std::chrono::steady_clock::time_point start_time_;
  StderrForwarder forwarder_;
  WorkerLauncher launcher_;
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  Corpus corpus_;
  std::vector<uint8_t> covered_edges_;
  size_t num_covered_edges_ = 0;
  std::deque<SeedChunk> seed_queue_;
  size_t seed_chunks_in_flight_ = 0;
  bool fuzzing_phase_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
  size_t reserved_runs_ = 0;
  size_t new_units_added_ = 0;
  size_t crashes_ = 0;
  std::set<std::string> crash_signatures_;  // every signature seen
  size_t slowest_unit_sec_ = 0;
  // -print_corpus_stats: mutations of each input (by SHA-1), summed over the workers.
  struct MutationCounts {
    uint64_t executed = 0;
    uint64_t successful = 0;
  };
  std::unordered_map<std::string, MutationCounts> mutation_counts_;
  uint64_t next_pulse_ = 1;
  bool corpus_write_failed_ = false;  // warned once: the output corpus cannot be written
  // A worker exited with the target's own exit code (the target called _exit): the run ends
  // with that code and prints nothing more, as a single libFuzzer process would.
  bool target_exited_ = false;
  // One per unique signature; keep-going runs minimise each crash at the end.
  std::vector<shoal::proto::CrashDescription> unique_crashes_;
  // Keep-going runs: minimises each unique crash, within -max_total_time; returns true if
  // SIGINT/SIGTERM interrupted it.
  bool MinimizeUniqueCrashes();
  InputResultFn on_result_;
  InputFailureFn on_failure_;
  bool inputs_only_ = false;  // RunInputsOnly: every failure is survived, nothing is fuzzed
  // ---- campaign telemetry (campaign.cc) ----
  StatsFile* stats_file_ = nullptr;
  // When cov or ft last grew (or fuzzing started, if later); requires mutex_.
  std::chrono::steady_clock::time_point last_new_coverage_;
  StatsRow CollectStatsRow() const;  // requires mutex_
  // -max_plateau_time: whether cov and ft have not grown for that long (then prints why the
  // run stops); requires mutex_.
  bool PlateauReached() const;
  // The unique-crash index, <artifact_prefix>crashes.csv, of runs that survive failures with
  // -keep_going=1 or -stats_file: a row per new signature (requires mutex_), and the
  // minimised file once there is one.
  std::unique_ptr<CrashIndex> crash_index_;
  void RecordUniqueCrash(const shoal::proto::CrashDescription& crash);
  void RecordMinimizedCrash(const std::string& artifact, const std::string& minimized,
                            size_t size);
  bool quiet_status_ = false;
};

}  // namespace fuzzer
